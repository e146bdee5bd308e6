"""The workspace at a glance: time left in words, filters folded away, confirmations, errors by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.requests import service as requests
from tests.workspace import support
from tests.workspace.test_pages_smoke import sign_in


def open_case(db: Session, settings: Settings, clock: FixedClock, client: Any) -> tuple[str, dt.datetime]:
    support.board(db)
    support.published_criteria(db)
    support.staff(db, "s1@staff.test", ["specialist"], name="山田花子")
    case_id = support.file(db, settings, clock.now())
    sign_in(client, "s1@staff.test")
    return case_id, requests.get_case_row(db, case_id).decision_due_at


def test_time_left_is_said_in_words_with_the_exact_time_beside(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, due = open_case(db, settings, clock, client)
    clock.set(due - dt.timedelta(days=2, hours=5, minutes=10))
    sign_in(client, "s1@staff.test")  # a session does not outlive the clock's jumps
    ja = client.get("/workspace?lang=ja").text
    assert "残り2日5時間" in ja and 'title="' in ja
    assert "2日5時間" not in client.get("/workspace?lang=en").text
    assert "2 days 5 hours left" in client.get("/workspace?lang=en").text
    assert "残り2日5時間" in client.get(f"/workspace/cases/{case_id}?lang=ja").text
    clock.set(due + dt.timedelta(hours=3, minutes=2))
    sign_in(client, "s1@staff.test")
    assert "期限を3時間2分超過" in client.get("/workspace?lang=ja").text
    assert "3 hours 2 minutes overdue" in client.get(f"/workspace/cases/{case_id}?lang=en").text


def test_queue_filters_are_folded_unless_one_is_set(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    open_case(db, settings, clock, client)
    plain = client.get("/workspace?lang=en").text
    assert '<details class="queue-filters" id="queue-filters">' in plain
    narrowed = client.get("/workspace?lang=en&service=board").text
    assert '<details class="queue-filters" id="queue-filters" open>' in narrowed
