"""The report's figures are built by a worker: asking answers at once with the build's status, a worker
builds them, the figures are served once built (409 before); a second request while one is pending gets
that one; a build whose worker was killed is taken up after its lease and finished once; publishing
freezes exactly the figures that were built."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.transparency import builds, service, store
from mamori.worker import tick
from tests.factories import make_staff
from tests.transparency.support import build_year, jst

LEGAL = Actor("user:legal", frozenset({"legal_officer"}))
SPECIALIST = Actor("user:spec", frozenset({"specialist"}))


def auditor(db: Session) -> dict[str, str]:
    _user, token = make_staff(db, ["auditor"], "auditor@builds.example")
    db.flush()
    return {"Authorization": f"Bearer {token}"}


def builds_of(db: Session, year: int) -> int:
    return db.scalar(
        select(func.count()).select_from(store.ReportBuildRow).where(store.ReportBuildRow.year == year)
    )


def test_a_build_is_answered_at_once_and_the_figures_are_served_once_a_worker_is_done(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    build_year(db, settings, clock, session_factory)
    auth = auditor(db)
    for lang, message in (("ja", "先に数値を集計してください"), ("en", "build the figures first")):
        before = client.get("/api/v1/transparency/reports/2026", headers=auth)
        assert before.status_code == 409 and before.json()["error"] == "report_not_built"
        assert message in before.json()["message"][lang]
        download = client.get(f"/reports/2026/download?format=csv&lang={lang}", headers=auth)
        assert download.status_code == 409

    answer = client.post("/api/v1/transparency/reports/2026/builds", headers=auth)
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["year"] == 2026 and queued["finished_at"] is None
    assert answer.headers["location"] == queued["status_url"] == f"/api/v1/transparency/builds/{queued['id']}"
    page = client.get("/reports/2026?lang=en", headers=auth)
    assert 'http-equiv="refresh"' in page.text and "wait for a worker" in page.text
    assert client.get("/api/v1/transparency/reports/2026", headers=auth).status_code == 409  # nothing yet

    report = tick(session_factory, settings, clock, queues=["reports"])
    assert report.results["transparency.builds"] == {"done": 1}
    done = client.get(queued["status_url"], headers=auth).json()
    assert (
        done["status"] == "done" and done["attempts"] == 1 and done["finished_at"] and done["error"] is None
    )
    figures = client.get(done["report_url"], headers=auth).json()
    assert figures["requests"]["total"] == 17 and figures["computed_at"] == "2027-05-01T10:00:00+09:00"
    page = client.get("/reports/2026?lang=en", headers=auth)
    assert 'http-equiv="refresh"' not in page.text and "Build the figures again" in page.text
    assert builds.run_build(queued["id"], factory=session_factory, clock=clock) == "skipped"  # once only
    assert tick(session_factory, settings, clock, queues=["reports"]).results["transparency.builds"] == {}

    assert client.get("/api/v1/transparency/builds/" + "0" * 32, headers=auth).status_code == 404
    assert client.get("/api/v1/transparency/builds/not-an-id", headers=auth).status_code == 404
    assert client.post("/api/v1/transparency/reports/1999/builds", headers=auth).status_code == 422


def test_a_second_request_while_one_is_pending_returns_the_pending_one(
    db: Session, clock: FixedClock, session_factory: sessionmaker[Session]
) -> None:
    first = builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)
    again = builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)
    assert again.id == first.id and again.pending and builds_of(db, 2026) == 1
    other_year = builds.request_build(2025, db=db, at=clock.now(), by=LEGAL)
    assert other_year.id != first.id
    # a saved self-evaluation queues a new build behind the pending one: the figures include it
    after = builds.write_self_evaluation(2026, "評価です。", "", db=db, at=clock.now(), by=LEGAL)
    assert after.id != first.id and builds_of(db, 2026) == 2
    assert builds.pending_build(2026, db=db) == after
    with pytest.raises(DomainError) as refused:
        builds.request_build(2026, db=db, at=clock.now(), by=SPECIALIST)
    assert refused.value.code == "forbidden"


def test_a_build_whose_worker_was_killed_is_taken_up_after_its_lease_and_finished_once(
    db: Session, clock: FixedClock, session_factory: sessionmaker[Session]
) -> None:
    status = builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)
    # a worker claimed it, then was killed (kill -9): the row stays `running` under its lease
    db.execute(
        update(store.ReportBuildRow)
        .where(store.ReportBuildRow.id == status.id)
        .values(status="running", attempts=1, lease_until=clock.now() + builds.LEASE)
    )
    db.flush()
    assert builds.waiting(db, now=clock.now()) == []
    assert builds.run_build(status.id, factory=session_factory, clock=clock) == "skipped"
    later = FixedClock(clock.now() + builds.LEASE + dt.timedelta(seconds=1))
    assert builds.waiting(db, now=later.now()) == [status.id]
    assert builds.run_build(status.id, factory=session_factory, clock=later) == "done"
    row = db.get_one(store.ReportBuildRow, status.id)
    db.refresh(row)
    assert row.attempts == 2 and row.status == "done" and row.figures and row.lease_until is None
    figures = row.figures
    # the killed attempt cannot store a result over it, and running again changes nothing
    assert not builds._finish(session_factory, status.id, 1, status="done", figures="{}")
    assert builds.run_build(status.id, factory=session_factory, clock=later) == "skipped"
    db.refresh(row)
    assert row.figures == figures and row.attempts == 2 and builds_of(db, 2026) == 1


def test_a_failed_build_records_the_error_and_the_page_says_so(
    db: Session,
    clock: FixedClock,
    settings: Settings,
    session_factory: sessionmaker[Session],
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    auth = auditor(db)
    status = builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)

    def broken(*_args: object, **_kwargs: object) -> dict[str, Any]:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(service, "compute", broken)
    report = tick(session_factory, settings, clock, queues=["reports"])
    assert report.results["transparency.builds"] == {"failed": 1}
    failed = client.get(f"/api/v1/transparency/builds/{status.id}", headers=auth).json()
    assert failed["status"] == "failed" and "the database went away" in failed["error"]
    page = client.get("/reports/2026?lang=en", headers=auth)
    assert "The last build of the figures failed" in page.text and 'http-equiv="refresh"' not in page.text
    assert tick(session_factory, settings, clock, queues=["reports"]).results["transparency.builds"] == {}


def test_publishing_freezes_exactly_the_figures_that_were_built(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    build_year(db, settings, clock, session_factory)
    _user, token = make_staff(db, ["legal_officer"], "legal@builds.example")
    auth = {"Authorization": f"Bearer {token}"}
    db.flush()
    nothing = client.post("/reports/2026/publish?lang=en", headers=auth)
    assert nothing.status_code == 409 and "build the figures first" in nothing.text
    # built before the year ended: those figures are not the year's
    clock.set(jst(2027, 3, 31, 12))
    builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)
    tick(session_factory, settings, clock, queues=["reports"])
    clock.set(jst(2027, 5, 1, 10))
    early = client.post("/reports/2026/publish?lang=en", headers=auth)
    assert early.status_code == 409 and "before the year ended" in early.text

    asked = client.post("/reports/2026/build?lang=en", headers=auth, follow_redirects=False)
    assert asked.status_code == 303
    tick(session_factory, settings, clock, queues=["reports"])
    built = builds.latest_built(2026, db=db, by=LEGAL)
    assert built is not None and built.figures is not None
    # the self-evaluation changes after the build, and nobody builds again: the page still shows the
    # built figures, and those are what is published
    clock.set(jst(2027, 5, 2, 10))
    service.write_self_evaluation(2026, "後から書いた評価。", "", db=db, at=clock.now(), by=LEGAL)
    db.flush()
    published = client.post("/reports/2026/publish?lang=en", headers=auth, follow_redirects=False)
    assert published.status_code == 303, published.text
    edition = store.editions(db, 2026)[0]
    assert json.loads(edition.figures) == built.figures
    assert json.loads(edition.figures)["self_evaluation"]["ja"] == ""
    page = client.get("/reports/2026?lang=en", headers=auth)
    assert "still agrees with the figures as last built" in page.text


def test_the_build_and_its_job_are_queued_in_the_askers_transaction(db: Session, clock: FixedClock) -> None:
    """PostgreSQL: a procrastinate job starts a worker at once. SQLite: the scheduled job finds the row."""
    postgres = db.get_bind().dialect.name == "postgresql"
    outer = db.begin_nested()
    status = builds.request_build(2026, db=db, at=clock.now(), by=LEGAL)
    assert builds.waiting(db, now=clock.now()) == [status.id]
    if postgres:
        jobs = db.execute(
            text(
                "SELECT queue_name, args->>'build_id' FROM procrastinate_jobs "
                "WHERE task_name = 'transparency.build'"
            )
        ).all()
        assert [tuple(j) for j in jobs] == [("reports", status.id)]
    outer.rollback()  # the asker's transaction fails: neither the build nor its job remains
    assert db.get(store.ReportBuildRow, status.id) is None
    assert builds.waiting(db, now=clock.now()) == []
    if postgres:
        assert db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar() == 0
