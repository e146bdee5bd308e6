"""The queue: the legal clock's order, counts over the whole open queue, each filter, the abuse sort."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.requests import claims
from mamori.requests import service as requests
from mamori.workspace import service
from mamori.workspace.service import QueueFilter
from tests.workspace import support
from tests.workspace.test_pages_smoke import sign_in


@dataclass(frozen=True)
class Queue:
    overdue: str  # board, filed 8 days ago, 名誉権, score 0.20, nobody holds it
    due_soon: str  # forum, filed 6 days ago (due within 48 hours), プライバシー, trusted source, score 0.90
    on_time: str  # board, filed now, 名誉権 + 営業権, no score yet, claimed by "a", in review
    decided: str  # board, decided: not in the queue


@pytest.fixture
def queue(db: Session, settings: Settings, clock: FixedClock) -> Queue:
    support.board(db)
    support.board(db, "forum")
    support.published_criteria(db)
    now = clock.now()
    overdue = support.file(db, settings, now - dt.timedelta(days=8), content_url="https://board.example/1")
    due_soon = support.file(
        db,
        settings,
        now - dt.timedelta(days=6),
        service="forum",
        content_url="https://forum.example/2",
        rights=["プライバシー"],
        trusted_source="法務局",
    )
    on_time = support.file(
        db, settings, now, content_url="https://board.example/3", rights=["名誉権", "営業権"]
    )
    decided = support.file(db, settings, now - dt.timedelta(days=1), content_url="https://board.example/4")
    decisions.decide(
        decided,
        decisions.DecisionInput(
            Measure.NO_ACTION, "2026.1", None, "論評の範囲内であり、削除の理由はありません。"
        ),
        db=db,
        settings=settings,
        at=now,
        by=support.SYSTEM,
    )
    requests.get_case_row(db, overdue).abuse_score = 0.2
    requests.get_case_row(db, due_soon).abuse_score = 0.9
    requests.start_review(on_time, db=db, at=now, by=support.SYSTEM)
    claims.claim(on_time, db=db, now=now, by=Actor("user:a"), user_id="a", settings=settings)
    db.flush()
    return Queue(overdue, due_soon, on_time, decided)


def ids(db: Session, settings: Settings, clock: FixedClock, **filters: str) -> list[str]:
    view = service.open_queue(QueueFilter(**filters), db=db, now=clock.now(), settings=settings)
    return [item.case_id for item in view.items]


def test_open_cases_come_overdue_first_then_due_soonest(
    db: Session, settings: Settings, clock: FixedClock, queue: Queue
) -> None:
    view = service.open_queue(QueueFilter(), db=db, now=clock.now(), settings=settings)
    assert [i.case_id for i in view.items] == [queue.overdue, queue.due_soon, queue.on_time]
    assert [i.clock.value for i in view.items] == ["overdue", "due_soon", "on_time"]
    assert view.total_open == 3
    assert view.counts == {
        "on_time": 1,
        "due_soon": 1,
        "overdue": 1,
        "undelivered": 0,
        "answered": 0,
        "answered_late": 0,
        "final_late": 0,
        "not_owed": 0,
    }


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"service": "forum"}, ["due_soon"]),
        ({"service": "board"}, ["overdue", "on_time"]),
        ({"right": "プライバシー"}, ["due_soon"]),
        ({"right": "営業権"}, ["on_time"]),
        ({"stage": "in_review"}, ["on_time"]),
        ({"stage": "received"}, ["overdue", "due_soon"]),
        ({"assignee": "a"}, ["on_time"]),
        ({"assignee": "b"}, []),
        ({"assignee": "none"}, ["overdue", "due_soon"]),
        ({"trusted": "yes"}, ["due_soon"]),
        ({"trusted": "no"}, ["overdue", "on_time"]),
        ({"service": "board", "assignee": "none"}, ["overdue"]),
    ],
)
def test_each_filter_narrows_the_list_but_not_the_counts(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    queue: Queue,
    filters: dict[str, str],
    expected: list[str],
) -> None:
    assert ids(db, settings, clock, **filters) == [getattr(queue, name) for name in expected]
    view = service.open_queue(QueueFilter(**filters), db=db, now=clock.now(), settings=settings)
    assert view.total_open == 3 and view.counts["overdue"] == 1


def test_the_abuse_sort_puts_the_highest_score_first_and_unscored_last(
    db: Session, settings: Settings, clock: FixedClock, queue: Queue
) -> None:
    assert ids(db, settings, clock, sort="abuse") == [queue.due_soon, queue.overdue, queue.on_time]


def test_a_lapsed_claim_shows_nobody_holding_the_case(
    db: Session, settings: Settings, clock: FixedClock, queue: Queue
) -> None:
    clock.advance(minutes=settings.claim_idle_minutes + 1)
    assert ids(db, settings, clock, assignee="a") == []
    assert queue.on_time in ids(db, settings, clock, assignee="none")


def test_the_queue_page_applies_filters_and_shows_counts(
    client: Any, db: Session, settings: Settings, clock: FixedClock, queue: Queue
) -> None:
    support.staff(db, "s1@staff.test", ["specialist"])
    sign_in(client, "s1@staff.test")
    receipts = {
        name: requests.get_case_row(db, getattr(queue, name)).receipt_number
        for name in ("overdue", "due_soon", "on_time", "decided")
    }
    page = client.get("/workspace?lang=en&trusted=yes").text
    assert receipts["due_soon"] in page and receipts["overdue"] not in page
    assert "Overdue: 1" in page and "All open: 3" in page
    everything = client.get("/workspace?lang=ja&sort=abuse").text
    assert everything.index(receipts["due_soon"]) < everything.index(receipts["overdue"])
    assert receipts["decided"] not in everything
    mine = client.get("/workspace?lang=en&assignee=me").text
    assert "No open requests match." in mine
