"""The rules of a case hold whatever the entry point: the JSON API and the `mamori cases` command get the
same refusals as the workspace pages (a case under appeal is settled only by the ruling of another
specialist; only the holder of a live claim acts on a claimed case; only someone who may decide decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.appeals import service as appeals
from mamori.appeals.model import Side
from mamori.cli import app
from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.notices.store import NoticeRow
from mamori.requests import claims
from mamori.requests import service as requests
from mamori.requests.model import Stage
from tests.factories import make_criteria, make_service, make_staff, request_payload

REASON = "事実を摘示して社会的評価を低下させる投稿であり、削除基準2.1に当たります。"
UPHELD = "投稿は公共の事柄についての論評であり、削除の理由はありません。"


def file(client: Any) -> str:
    response = client.post("/api/v1/removal-requests", json=request_payload())
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def notice_count(db: Session, case_id: str) -> int:
    return int(
        db.scalar(select(func.count()).select_from(NoticeRow).where(NoticeRow.case_id == case_id)) or 0
    )


def decide_by_api(client: Any, case_id: str, token: str, measure: str = "remove") -> Any:
    body = {
        "measure": measure,
        "criteria_version": "2026.1",
        "reason": REASON if measure == "remove" else UPHELD,
    }
    if measure == "remove":
        body["clause"] = "2.1"
    return client.post(f"/api/v1/cases/{case_id}/decision", headers=bearer(token), json=body)


@pytest.fixture
def staff(db: Session) -> dict[str, Any]:
    make_service(db)
    make_criteria(db)
    first, first_token = make_staff(db, ["specialist"], "first@staff.example.com")
    second, second_token = make_staff(db, ["specialist"], "second@staff.example.com")
    _reviewer, reviewer_token = make_staff(db, ["reviewer"], "reviewer@staff.example.com")
    return {
        "first": (first, first_token),
        "second": (second, second_token),
        "reviewer_token": reviewer_token,
    }


def test_the_first_decider_cannot_decide_again_through_the_api_while_the_case_is_under_appeal(
    client: Any, db: Session, settings: Settings, clock: FixedClock, staff: dict[str, Any]
) -> None:
    first, first_token = staff["first"]
    case_id = file(client)
    poster = client.post(
        f"/api/v1/cases/{case_id}/poster",
        json={"account_id": "acct-1", "email": "poster@example.com"},
        headers=bearer(first_token),
    )
    assert poster.status_code == 204, poster.text
    assert decide_by_api(client, case_id, first_token).status_code == 201
    appeals.file_appeal(
        case_id,
        Side.POSTER,
        "事実に基づく正当な批判であり、削除は不当です。",
        db=db,
        settings=settings,
        at=clock.now(),
        by=Actor("poster:x"),
    )
    db.flush()
    before = notice_count(db, case_id)
    for token in (first_token, staff["second"][1]):  # not the decider again, and not a plain decision either
        again = decide_by_api(client, case_id, token, "no_action")
        assert again.status_code == 409 and again.json()["error"] == "under_appeal", again.text
    assert notice_count(db, case_id) == before  # nobody was told anything new
    assert appeals.open_appeal(case_id, db=db) is not None  # the appeal still waits for its ruling
    assert [d.basis for d in decisions.decisions_for(db, case_id)] == ["review"]
    # the ruling by someone else settles it
    second = staff["second"][0]
    outcome = appeals.rule(
        case_id,
        decisions.DecisionInput(Measure.NO_ACTION, "2026.1", None, UPHELD),
        db=db,
        settings=settings,
        at=clock.now(),
        by=second.actor(),
    )
    assert decisions.latest(case_id, db=db).id == outcome.decision_id  # type: ignore[union-attr]
    assert requests.get_case_row(db, case_id).stage == Stage.DECIDED.value
    assert first.id != second.id


def test_the_decider_cannot_rule_on_the_appeal_against_their_own_decision(
    client: Any, db: Session, settings: Settings, clock: FixedClock, staff: dict[str, Any]
) -> None:
    first, first_token = staff["first"]
    case_id = file(client)
    assert decide_by_api(client, case_id, first_token, "no_action").status_code == 201
    appeals.file_appeal(
        case_id,
        Side.REQUESTER,
        "投稿は虚偽の事実で、今も拡散され続けています。",
        db=db,
        settings=settings,
        at=clock.now(),
        by=Actor("requester:x"),
    )
    with pytest.raises(Exception) as refused:
        decisions.decide_on_appeal(
            case_id,
            decisions.DecisionInput(Measure.NO_ACTION, "2026.1", None, UPHELD),
            "requester",
            db=db,
            settings=settings,
            at=clock.now(),
            by=first.actor(),
        )
    assert getattr(refused.value, "code", "") == "same_specialist"


def test_a_second_specialist_cannot_decide_through_the_api_a_case_another_holds(
    client: Any, db: Session, settings: Settings, clock: FixedClock, staff: dict[str, Any]
) -> None:
    first, _ = staff["first"]
    case_id = file(client)
    claims.claim(case_id, db=db, now=clock.now(), by=first.actor(), user_id=first.id, settings=settings)
    db.flush()
    taken = decide_by_api(client, case_id, staff["second"][1], "no_action")
    assert taken.status_code == 409 and taken.json()["error"] == "claimed_by_other", taken.text
    extended = client.post(
        f"/api/v1/cases/{case_id}/extension",
        headers=bearer(staff["second"][1]),
        json={"ground": "hearing_poster", "reason": ""},
    )
    assert extended.status_code == 409, extended.text
    poster = client.post(
        f"/api/v1/cases/{case_id}/poster",
        json={"account_id": "acct-1", "email": "poster@example.com"},
        headers=bearer(staff["second"][1]),
    )
    assert poster.status_code == 409, poster.text
    assert decisions.decisions_for(db, case_id) == []
    assert requests.get_case_row(db, case_id).assignee == first.id
    # once the claim lapses, whoever acts takes it, and deciding puts the case back in the queue
    clock.advance(minutes=settings.claim_idle_minutes + 1)
    assert decide_by_api(client, case_id, staff["second"][1], "no_action").status_code == 201
    assert requests.get_case_row(db, case_id).assignee is None


def test_a_reviewer_cannot_decide_through_the_service_either(
    db: Session, settings: Settings, clock: FixedClock, client: Any, staff: dict[str, Any]
) -> None:
    case_id = file(client)
    with pytest.raises(Exception) as refused:
        decisions.decide(
            case_id,
            decisions.DecisionInput(Measure.NO_ACTION, "2026.1", None, UPHELD),
            db=db,
            settings=settings,
            at=clock.now(),
            by=Actor("user:someone", frozenset({"reviewer"})),
        )
    assert getattr(refused.value, "status", None) == 403
    assert decisions.decisions_for(db, case_id) == []


# --- the command line -------------------------------------------------------------------------------


@pytest.fixture
def cli_case(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    factory = make_sessionmaker(make_engine(fresh_database_url))
    settings = Settings(database_url=fresh_database_url)
    at = dt.datetime(2026, 4, 1, 10, tzinfo=JST)
    with transaction(factory) as db:
        make_service(db)
        make_criteria(db)
        holder, _ = make_staff(db, ["specialist"], "holder@staff.example.com")
        make_staff(db, ["specialist"], "other@staff.example.com")
        make_staff(db, ["reviewer"], "reviewer@staff.example.com")
        receipt = requests.file_request(
            requests.RequestForm(
                service="test-board",
                content_url="https://board.example/9",
                content_text="本文",
                rights=["名誉権"],
                reason="社会的評価が下がったためです。",
                requester=requests.Requester("申出者", "東京都", "r@example.com", "03-0000-0000"),
                show_name_to_poster=False,
                declaration_true=True,
            ),
            db=db,
            settings=settings,
            at=at,
            by=Actor("public:test"),
        )
        far_future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3650)
        claims.claim(
            receipt.case_id,
            db=db,
            now=far_future - dt.timedelta(minutes=1),
            by=holder.actor(),
            user_id=holder.id,
            settings=settings.model_copy(update={"claim_idle_minutes": 1}),
        )
    return {"case_id": receipt.case_id, "factory": factory}


def cli_decide(case_id: str, as_who: str) -> Any:
    return CliRunner().invoke(
        app,
        [
            "cases",
            "decide",
            case_id,
            "--measure",
            "no_action",
            "--criteria",
            "2026.1",
            "--reason",
            UPHELD,
            "--as",
            as_who,
        ],
    )


@pytest.mark.parametrize(
    ("as_who", "why"),
    [
        ("other@staff.example.com", "working on this case"),  # another specialist holds the claim
        ("reviewer@staff.example.com", "may not"),  # a reviewer does not decide
        ("nobody@staff.example.com", "No active staff account"),  # no such account
    ],
)
def test_the_command_line_meets_the_same_rules(cli_case: dict[str, Any], as_who: str, why: str) -> None:
    result = cli_decide(cli_case["case_id"], as_who)
    assert result.exit_code == 2 and why in result.output, result.output
    with transaction(cli_case["factory"]) as db:
        assert decisions.decisions_for(db, cli_case["case_id"]) == []


def test_the_holder_decides_from_the_command_line(cli_case: dict[str, Any]) -> None:
    result = cli_decide(cli_case["case_id"], "holder@staff.example.com")
    assert result.exit_code == 0, result.output
    with transaction(cli_case["factory"]) as db:
        (decision,) = decisions.decisions_for(db, cli_case["case_id"])
        holder = db.scalar(select(auth.UserRow).where(auth.UserRow.email == "holder@staff.example.com"))
        assert holder is not None and decision.decided_by == f"user:{holder.id}"  # the person, not "cli:"
