"""Threats and doxxing head the queue (a person may be in danger), before overdue cases and whatever
their abuse score, in either order, with a visible, translated danger badge."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.requests import service as requests
from mamori.workspace import service
from mamori.workspace.service import QueueFilter
from tests.workspace import support
from tests.workspace.test_pages_smoke import sign_in


def _case(db: Session, settings: Settings, at: dt.datetime, n: int, score: float, flags: list[str]) -> str:
    case_id = support.file(db, settings, at, content_url=f"https://board.example/{n}")
    row = requests.get_case_row(db, case_id)
    row.abuse_score = score
    row.abuse_flags = json.dumps(flags)
    db.flush()
    return case_id


@pytest.fixture
def cases(db: Session, settings: Settings, clock: FixedClock) -> dict[str, str]:
    support.board(db)
    support.published_criteria(db)
    now = clock.now()
    return {
        "overdue": _case(db, settings, now - dt.timedelta(days=8), 1, 0.95, ["abuse", "insult"]),
        "doxxing": _case(db, settings, now, 2, 0.11, ["privacy"]),
        "plain": _case(db, settings, now - dt.timedelta(days=1), 3, 0.5, []),
        "threat": _case(db, settings, now - dt.timedelta(days=2), 4, 0.3, ["threat", "abuse"]),
    }


def _ids(db: Session, settings: Settings, clock: FixedClock, sort: str) -> list[str]:
    view = service.open_queue(QueueFilter(sort=sort), db=db, now=clock.now(), settings=settings)
    return [i.case_id for i in view.items]


@pytest.mark.parametrize("sort", ["clock", "abuse"])
def test_threats_and_doxxing_come_before_overdue_cases_whatever_their_score(
    db: Session, settings: Settings, clock: FixedClock, cases: dict[str, str], sort: str
) -> None:
    order = _ids(db, settings, clock, sort)
    assert set(order[:2]) == {cases["threat"], cases["doxxing"]}
    assert order[2] == cases["overdue"]


def test_the_danger_flags_are_read_from_the_detections_flags(
    db: Session, settings: Settings, clock: FixedClock, cases: dict[str, str]
) -> None:
    view = service.open_queue(QueueFilter(), db=db, now=clock.now(), settings=settings)
    danger = {i.case_id: i.danger for i in view.items}
    assert danger[cases["threat"]] == ("threat",) and danger[cases["doxxing"]] == ("privacy",)
    assert danger[cases["overdue"]] == () and danger[cases["plain"]] == ()


@pytest.mark.parametrize(
    ("lang", "threat", "doxxing"),
    [("ja", "危険: 脅迫", "危険: 個人情報の暴露"), ("en", "Danger: threat", "Danger: personal data exposed")],
)
def test_the_queue_page_shows_a_danger_badge_on_top(
    client: Any,
    db: Session,
    settings: Settings,
    clock: FixedClock,
    cases: dict[str, str],
    lang: str,
    threat: str,
    doxxing: str,
) -> None:
    support.staff(db, "s1@staff.test", ["specialist"])
    sign_in(client, "s1@staff.test")
    receipt = {k: requests.get_case_row(db, v).receipt_number for k, v in cases.items()}
    for sort in ("clock", "abuse"):
        page = client.get(f"/workspace?lang={lang}&sort={sort}").text
        assert threat in page and doxxing in page
        assert page.count('class="tag danger-flag"') == 2
        first_two = max(page.index(receipt["threat"]), page.index(receipt["doxxing"]))
        assert first_two < page.index(receipt["overdue"]) < page.index(receipt["plain"])


@pytest.mark.parametrize(
    ("reason", "flag"),
    [
        (
            "投稿の後、知らない男性が自宅に来ました。住所を特定されたと思います。怖くて外に出られません。",
            "privacy",
        ),
        ("My home address was posted and a stranger came to my door the next evening.", "privacy"),
        ("この投稿の後、DMで「殺してやる」と脅されています。", "threat"),
    ],
)
def test_danger_the_requester_describes_flags_a_harmless_looking_post(
    db: Session, settings: Settings, clock: FixedClock, reason: str, flag: str
) -> None:
    """The issue's case: a doxxing request scored 0.11 and came last, although the reason said a stranger
    came to the person's home. The worker's scoring now reads the reason too."""
    support.board(db)
    support.published_criteria(db)
    now = clock.now()
    calm = support.file(
        db,
        settings,
        now,
        content_url="https://board.example/calm",
        reason="事実と異なる内容で評価が下がりました。",
    )
    danger = support.file(db, settings, now, content_url="https://board.example/door", reason=reason)
    requests.score_unscored(db=db, settings=settings)
    view = service.open_queue(QueueFilter(sort="abuse"), db=db, now=now, settings=settings)
    order = [i.case_id for i in view.items]
    flags = {i.case_id: i.danger for i in view.items}
    assert order.index(danger) < order.index(calm)
    assert flag in flags[danger] and flags[calm] == ()


@pytest.mark.parametrize(
    "reason",
    [
        "この投稿は事実と異なり、私の社会的評価を下げています。",
        "会社の評判が落ち、取引先から問い合わせが来ました。",  # the workplace is named, nobody came
        "The post calls me a fraud, which is untrue.",
    ],
)
def test_an_ordinary_reason_raises_no_danger(reason: str) -> None:
    from mamori.requests.model import danger_in_reason

    assert danger_in_reason(reason) == []
