"""A trusted body's keys and requests on a platform: hashed, scoped, revocable, rotatable, expiring keys;
its requests become trusted removal cases; it sees the status of every request it sent, and only its own."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.channels import service
from mamori.channels.model import Scope
from mamori.channels.store import ChannelKeyRow
from mamori.core.auth import ApiTokenRow
from mamori.core.clock import FixedClock
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from tests.channels import support
from tests.workspace.support import SYSTEM, with_poster

URL = "/api/v1/channels/requests"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_bodys_request_becomes_a_trusted_case_answered_to_its_contact(
    client: Any, db: Session, clock: FixedClock
) -> None:
    support.platform(db)
    slug = support.body(db, clock.now())
    token, _ = support.key(db, clock.now(), slug)
    answer = client.post(URL, json=support.request_json(), headers=auth(token))
    assert answer.status_code == 201, answer.text
    out = answer.json()
    assert out["stage"] == "received" and out["reference"] == "東法人第123号" and out["outcome"] is None
    case = requests.case_by_receipt(db, out["receipt_number"])
    assert case is not None
    assert (case.source, case.trusted_source) == ("trusted", "東京法務局 人権擁護部")
    # the Art. 25 notices go to the body as the requester: its receipt is queued to the body's contact
    receipt = db.scalar(select(NoticeRow).where(NoticeRow.case_id == case.id, NoticeRow.kind == "receipt"))
    assert receipt is not None and receipt.recipient == "requester"
    owner = requests.requester_of(
        case, settings=client.app.state.settings, db=db, at=clock.now(), by=SYSTEM, purpose="test"
    )
    assert owner.email == "moj-tokyo@bodies.example"


def test_the_body_sees_the_status_and_outcome_of_every_request_and_not_anothers(
    client: Any, db: Session, clock: FixedClock
) -> None:
    support.platform(db)
    mine = support.key(db, clock.now(), support.body(db, clock.now()))[0]
    theirs = support.key(
        db, clock.now(), support.body(db, clock.now(), "sia-hotline", "誹謗中傷ホットライン")
    )[0]
    first = client.post(URL, json=support.request_json(), headers=auth(mine)).json()
    second = client.post(
        URL, json=support.request_json(content_url="https://board.example/t/8"), headers=auth(mine)
    ).json()
    other = client.post(URL, json=support.request_json(), headers=auth(theirs)).json()
    case = requests.case_by_receipt(db, first["receipt_number"])
    assert case is not None
    with_poster(db, client.app.state.settings, case.id, clock.now())
    decisions.decide(
        case.id,
        decisions.DecisionInput(Measure.REMOVE, "2026.1", "2.1", "特定の個人の社会的評価を低下させるため。"),
        db=db,
        settings=client.app.state.settings,
        at=clock.now(),
        by=SYSTEM,
    )
    listed = client.get(URL, headers=auth(mine)).json()
    assert {r["id"] for r in listed} == {first["id"], second["id"]}
    decided = client.get(f"{URL}/{first['id']}", headers=auth(mine)).json()
    assert (decided["stage"], decided["outcome"]) == ("decided", "remove")
    assert client.get(f"{URL}/{other['id']}", headers=auth(mine)).status_code == 404


def test_only_the_hash_of_a_key_is_stored(client: Any, db: Session, clock: FixedClock) -> None:
    token, key_id = support.key(db, clock.now(), support.body(db, clock.now()))
    row = db.scalar(select(ChannelKeyRow))
    assert row is not None and row.key_id == key_id
    stored = [row.token_hash, *(t.token_hash for t in db.scalars(select(ApiTokenRow)))]
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_a_revoked_key_is_refused_at_once(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    slug = support.body(db, clock.now())
    token, key_id = support.key(db, clock.now(), slug)
    assert client.get(URL, headers=auth(token)).status_code == 200
    service.revoke_key(slug, key_id, db=db, at=clock.now(), by=support.ADMIN)
    db.flush()
    assert client.get(URL, headers=auth(token)).status_code == 401
    assert client.post(URL, json=support.request_json(), headers=auth(token)).status_code == 401


def test_an_expired_key_is_refused(client: Any, db: Session, clock: FixedClock) -> None:
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()), days=1)
    assert client.get(URL, headers=auth(token)).status_code == 200
    clock.advance(days=1, seconds=1)
    assert client.get(URL, headers=auth(token)).status_code == 401


def test_rotation_gives_a_new_key_and_refuses_the_old(client: Any, db: Session, clock: FixedClock) -> None:
    slug = support.body(db, clock.now())
    old, key_id = support.key(db, clock.now(), slug)
    new, row = service.rotate_key(slug, key_id, valid_days=30, db=db, at=clock.now(), by=support.ADMIN)
    db.flush()
    assert client.get(URL, headers=auth(old)).status_code == 401
    assert client.get(URL, headers=auth(new)).status_code == 200
    assert row.scope_set == {s.value for s in Scope}


def test_a_read_only_key_cannot_send_requests(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()), scopes=frozenset({Scope.READ}))
    assert client.get(URL, headers=auth(token)).status_code == 200
    answer = client.post(URL, json=support.request_json(), headers=auth(token))
    assert answer.status_code == 403 and "requests:submit" in answer.json()["message"]["en"]


def test_identical_requests_from_a_body_are_one_case(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()))
    first = client.post(URL, json=support.request_json(), headers=auth(token)).json()
    again = [
        client.post(URL, json=support.request_json(content_url=url), headers=auth(token)).json()
        for url in ("https://board.example/t/77#3", "https://BOARD.EXAMPLE/t/77#3/")
    ]
    assert {a["receipt_number"] for a in again} == {first["receipt_number"]}
    assert again[-1]["duplicate"] is True and again[-1]["duplicates"] == 2
    assert len(client.get(URL, headers=auth(token)).json()) == 1


def test_each_body_has_its_own_rate_limit(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"channels_rate_limit_per_minute": 2}
    )
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()))
    other, _ = support.key(db, clock.now(), support.body(db, clock.now(), "sia-hotline", "ホットライン"))
    codes = [
        client.post(
            URL, json=support.request_json(content_url=f"https://board.example/t/{n}"), headers=auth(token)
        ).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert client.post(URL, json=support.request_json(), headers=auth(other)).status_code == 201


def test_an_ordinary_staff_token_is_not_a_body(client: Any, db: Session, clock: FixedClock) -> None:
    from mamori.core import auth as core_auth

    user = core_auth.create_user(
        "lone@notifier.test",
        "紐付けなし",
        ["trusted_notifier"],
        "a long enough password",
        db=db,
        at=clock.now(),
        by=SYSTEM,
    )
    token = core_auth.create_api_token(user, db=db, at=clock.now())
    db.flush()
    assert client.get(URL, headers=auth(token)).status_code == 403


def test_bad_input_is_refused_with_the_field_named(client: Any, db: Session, clock: FixedClock) -> None:
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()))
    answer = client.post(
        URL, json=support.request_json(content_url="javascript:alert(1)"), headers=auth(token)
    )
    assert answer.status_code == 422
    assert client.get(URL, headers=auth(token)).json() == []
