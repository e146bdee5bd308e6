"""The workspace at a glance: time left in words, filters folded away, confirmations, errors by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.requests import service as requests
from tests.workspace import support
from tests.workspace.test_pages_smoke import csrf, sign_in


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


def test_each_action_is_confirmed_on_the_page_it_leads_to(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    token = csrf(client)
    claimed = client.post(
        f"/workspace/cases/{case_id}/claim?lang=ja", data={"csrf_token": token}, follow_redirects=False
    )
    assert claimed.status_code == 303 and "done=claimed" in claimed.headers["location"]
    assert 'id="done">この案件を担当しました。' in client.get(claimed.headers["location"]).text
    released = client.post(
        f"/workspace/cases/{case_id}/release?lang=en", data={"csrf_token": token}, follow_redirects=False
    )
    assert "You gave the case back." in client.get(released.headers["location"]).text


def test_a_confirmation_never_echoes_the_url(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    page = client.get(f"/workspace/cases/{case_id}?lang=en&done=Your+case+was+deleted").text
    assert "Your case was deleted" not in page and 'id="done"' not in page


def test_an_error_is_shown_beside_its_field_and_summarised_at_the_top(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    token = csrf(client)
    client.post(f"/workspace/cases/{case_id}/claim", data={"csrf_token": token})
    form = {
        "csrf_token": token,
        "measure": "remove",
        "criteria_version": "2026.1",
        "clause": "",
        "reason": "x" * 20,
    }
    page = client.post(f"/workspace/cases/{case_id}/preview?lang=en", data=form)
    assert page.status_code >= 400
    assert 'id="action-error"' in page.text and 'href="#clause"' in page.text
    assert '<p class="field-error" id="clause-error">Choose the clause applied.</p>' in page.text
    assert 'id="clause" name="clause" aria-invalid="true" aria-describedby="clause-error"' in page.text
    assert 'id="done"' not in page.text
