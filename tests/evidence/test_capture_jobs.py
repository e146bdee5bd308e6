"""Captures run by a worker: the API answers at once (202) with the capture's status, a worker runs it,
the status shows the item or the reason it failed; a capture whose worker died is taken up again, and
a capture is recorded once however often it is run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence import captures, store
from mamori.evidence.settings import evidence_settings
from mamori.worker import tick
from tests.evidence.factories import a_case, a_consultation, person


@pytest.fixture
def capturing(settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app
    from tests.conftest import CHROMIUM, loud_skip

    if not Path(CHROMIUM).exists():
        loud_skip(f"captures run as jobs: no Chromium at {CHROMIUM}")
    test_settings = settings.model_copy(
        update={"allow_private_fetch": True, "chromium": Path(CHROMIUM), "evidence_capture_timeout_s": 20}
    )
    with TestClient(create_app(test_settings, clock=clock, session_factory=session_factory)) as client:
        yield client


def items_of(db: Session, owner_id: str) -> int:
    return db.scalar(
        select(func.count())
        .select_from(store.EvidenceItemRow)
        .where(store.EvidenceItemRow.owner_id == owner_id)
    )


@pytest.mark.browser
def test_the_api_answers_at_once_and_the_status_shows_the_item_once_a_worker_is_done(
    capturing: Any, db: Session, clock: FixedClock, settings: Settings, site: Any, session_factory: Any
) -> None:
    specialist = person(db, "specialist", clock.now())
    case_id = a_case(db, settings, clock.now())
    body = {"owner_type": "case", "owner_id": case_id, "url": f"{site.base}/post", "reason": "保全"}
    answer = capturing.post("/api/v1/evidence/captures", json=body, headers=specialist.headers)
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["item"] is None and queued["error"] is None
    assert answer.headers["location"] == queued["status_url"] == f"/api/v1/evidence/captures/{queued['id']}"
    assert items_of(db, case_id) == 0  # nothing was fetched inside the request

    report = tick(session_factory, capturing.app.state.settings, clock, queues=["captures"])
    assert report.results["evidence.captures"] == {"done": 1}

    done = capturing.get(queued["status_url"], headers=specialist.headers).json()
    assert done["status"] == "done" and done["attempts"] == 1 and done["finished_at"]
    assert done["item"]["kind"] == "capture" and len(done["item"]["sha256"]) == 64
    assert done["item"]["profile"]["poster_name"] == "山田太郎"
    # run again (a task retried after its worker died): nothing more is recorded
    again = captures.run_capture(
        queued["id"],
        factory=session_factory,
        settings=evidence_settings(capturing.app.state.settings),
        clock=clock,
    )
    assert again == "skipped" and items_of(db, case_id) == 1


def test_a_failed_capture_says_why_in_both_languages_and_is_not_retried(
    capturing: Any, db: Session, clock: FixedClock, settings: Settings, session_factory: Any
) -> None:
    specialist = person(db, "specialist", clock.now())
    case_id = a_case(db, settings, clock.now())
    # a loopback port nobody listens on: allowed by the test switch, and the page cannot be loaded
    body = {"owner_type": "case", "owner_id": case_id, "url": "http://127.0.0.1:9/gone"}
    queued = capturing.post("/api/v1/evidence/captures", json=body, headers=specialist.headers).json()
    tick(session_factory, capturing.app.state.settings, clock, queues=["captures"])
    failed = capturing.get(queued["status_url"], headers=specialist.headers).json()
    assert failed["status"] == "failed" and failed["item"] is None
    assert failed["error"]["code"].startswith("evidence_")
    assert "127.0.0.1:9/gone" in failed["error"]["message"]["ja"]
    assert "127.0.0.1:9/gone" in failed["error"]["message"]["en"]
    page = capturing.get(
        f"/evidence/captures/{queued['id']}", params={"lang": "en"}, headers=specialist.headers
    )
    assert page.status_code == 200  # the page (signed in by bearer token here) names the reason
    report = tick(session_factory, capturing.app.state.settings, clock, queues=["captures"])
    assert report.results["evidence.captures"] == {}  # a final failure waits for nobody


def test_a_capture_whose_worker_died_is_taken_up_when_its_lease_ends(
    db: Session, clock: FixedClock, settings: Settings, session_factory: Any, site: Any
) -> None:
    from tests.conftest import CHROMIUM, loud_skip

    if not Path(CHROMIUM).exists():
        loud_skip(f"captures run as jobs: no Chromium at {CHROMIUM}")
    specialist = person(db, "specialist", clock.now())
    case_id = a_case(db, settings, clock.now())
    ev = evidence_settings(settings).with_(allow_private_fetch=True, chromium=Path(CHROMIUM))
    status = captures.request_capture(
        "case",
        case_id,
        f"{site.base}/post",
        by=specialist.principal,
        reason="",
        db=db,
        settings=ev,
        clock=clock,
    )
    # a worker claimed it, then was killed (kill -9): the row stays `running` under its lease
    db.execute(
        update(store.EvidenceCaptureRow)
        .where(store.EvidenceCaptureRow.id == status.id)
        .values(status="running", attempts=1, lease_until=clock.now() + captures.lease_for(ev))
    )
    db.flush()
    assert captures.waiting(db, now=clock.now()) == []
    assert captures.run_capture(status.id, factory=session_factory, settings=ev, clock=clock) == "skipped"
    later = FixedClock(clock.now() + captures.lease_for(ev) + dt.timedelta(seconds=1))
    assert captures.waiting(db, now=later.now()) == [status.id]
    assert captures.run_capture(status.id, factory=session_factory, settings=ev, clock=later) == "done"
    row = db.get_one(store.EvidenceCaptureRow, status.id)
    db.refresh(row)
    assert row.attempts == 2 and row.item_id is not None and items_of(db, case_id) == 1


def test_only_those_who_may_read_the_evidence_see_a_capture(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    counsellor = person(db, "counsellor", clock.now())
    other = person(db, "counsellor", clock.now())
    record = a_consultation(db, counsellor.principal, settings, clock.now())
    ev = evidence_settings(settings).with_(allow_private_fetch=True)
    status = captures.request_capture(
        "consultation", record, "http://127.0.0.1:9/x", by=counsellor.principal, reason="", db=db, settings=ev,
        clock=clock,
    )  # fmt: skip
    db.flush()
    mine = client.get(f"/api/v1/evidence/captures/{status.id}", headers=counsellor.headers)
    assert mine.status_code == 200 and mine.json()["status"] == "queued"
    theirs = client.get(f"/api/v1/evidence/captures/{status.id}", headers=other.headers)
    missing = client.get(f"/api/v1/evidence/captures/{'0' * 32}", headers=other.headers)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"] == missing.json()["error"]


def test_a_refused_address_is_answered_at_once_and_queues_nothing(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    specialist = person(db, "specialist", clock.now())
    body = {
        "owner_type": "case",
        "owner_id": a_case(db, settings, clock.now()),
        "url": "http://127.0.0.1:9/x",
    }
    refused = client.post("/api/v1/evidence/captures", json=body, headers=specialist.headers)
    assert refused.status_code == 422 and refused.json()["error"] == "evidence_address_refused"
    assert db.scalar(select(func.count()).select_from(store.EvidenceCaptureRow)) == 0


def test_the_capture_and_its_job_are_queued_in_the_askers_transaction(
    db: Session, clock: FixedClock, settings: Settings
) -> None:
    """PostgreSQL: a procrastinate job starts a worker at once. SQLite: the scheduled job finds the row."""
    postgres = db.get_bind().dialect.name == "postgresql"
    specialist = person(db, "specialist", clock.now())
    case_id = a_case(db, settings, clock.now())
    ev = evidence_settings(settings).with_(allow_private_fetch=True)
    outer = db.begin_nested()
    status = captures.request_capture(
        "case",
        case_id,
        "http://127.0.0.1:9/x",
        by=specialist.principal,
        reason="",
        db=db,
        settings=ev,
        clock=clock,
    )
    assert captures.waiting(db, now=clock.now()) == [status.id]
    if postgres:
        jobs = db.execute(
            text(
                "SELECT queue_name, args->>'capture_id' FROM procrastinate_jobs WHERE task_name = 'evidence.capture'"
            )
        ).all()
        assert [tuple(j) for j in jobs] == [("captures", status.id)]
    outer.rollback()  # the asker's transaction fails: neither the capture nor its job remains
    assert db.get(store.EvidenceCaptureRow, status.id) is None
    assert captures.waiting(db, now=clock.now()) == []
    if postgres:
        assert db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar() == 0


def test_the_capture_page_of_an_unknown_or_malformed_id_says_so(
    client: Any, db: Session, clock: FixedClock
) -> None:
    specialist = person(db, "specialist", clock.now())
    db.flush()
    for capture_id, status in (("0" * 32, 404), ("not-an-id", 404)):
        page = client.get(f"/evidence/captures/{capture_id}", headers=specialist.headers)
        assert page.status_code == status and 'role="alert"' in page.text
        assert 'http-equiv="refresh"' not in page.text
