"""The yearly report's figures are built by a worker, not inside a request: asked for (`request_build`,
the page and the API answer at once with the build's status), run (`run_build`, by
`mamori.transparency.jobs`), looked at (`build_status`, `latest_built`, `pending_build`).

A build is a row (`transparency_builds`): queued, running (leased to one worker for `LEASE`), done (with
the figures as canonical JSON) or failed (with the error). The row is written in the asker's
transaction together with the job that runs it (`core.jobs.defer`). Running is idempotent: a worker
claims the row first and stores the figures only if the claim is still its own when it finishes, so a
build whose worker was killed is taken up once the lease ends, and a build has at most one result.

Pages, downloads and the API serve the latest done build; publishing from the page freezes exactly
those figures (the ones the publisher saw). The CLI runs outside any request and computes directly.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import audit, jobs
from mamori.core.audit import Actor
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.errors import Conflict, NotFound
from mamori.core.jobs import Task, defer
from mamori.transparency import model, service, store

log = logging.getLogger("mamori.transparency.builds")

# A build held longer than this belongs to a worker that was killed (10M decisions take minutes).
LEASE = dt.timedelta(minutes=30)
MAX_ERROR = 2_000
BUILD_ID = re.compile(r"[0-9a-f]{32}")

QUEUED, RUNNING = jobs.QUEUED, jobs.RUNNING
DONE, FAILED = "done", "failed"
PENDING = (QUEUED, RUNNING)


@dataclass(frozen=True)
class BuildStatus:
    id: str
    year: int
    status: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: int
    error: str | None
    figures: dict[str, Any] | None

    @property
    def pending(self) -> bool:
        return self.status in PENDING


def _status(row: store.ReportBuildRow) -> BuildStatus:
    return BuildStatus(
        id=row.id,
        year=row.year,
        status=row.status,
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        attempts=row.attempts,
        error=row.error,
        figures=json.loads(row.figures) if row.figures else None,
    )


def request_build(year: int, *, db: Session, at: dt.datetime, by: Actor, again: bool = False) -> BuildStatus:
    """Queue a build of the year's figures (caller's transaction). A build of the year already waiting
    or running is returned instead of a second one, unless `again` (the data changed after it began:
    a saved self-evaluation), when a new one is queued behind it."""
    service.check_reader(year, by)
    if not again:
        waiting = store.latest_build(db, year, PENDING)
        if waiting is not None:
            return _status(waiting)
    row = store.ReportBuildRow(
        id=store.build_id(), year=year, status=QUEUED, requested_by=by.ident, requested_at=at, attempts=0
    )
    db.add(row)
    db.flush()
    defer(db, BUILD_TASK, build_id=row.id)
    audit.record(
        db, at=at, actor=by, action="report.build_requested", subject_type="report", subject_id=str(year)
    )
    return _status(row)


def build_status(build_id: str, *, db: Session, by: Actor) -> BuildStatus:
    """A build's state, for someone who may read reports."""
    service.check_reader(None, by)
    row = db.get(store.ReportBuildRow, build_id) if BUILD_ID.fullmatch(build_id) else None
    if row is None:
        raise NotFound("build", build_id)
    return _status(row)


def latest_built(year: int, *, db: Session, by: Actor) -> BuildStatus | None:
    """The latest done build of the year (None: never built), for someone who may read reports."""
    service.check_reader(year, by)
    row = store.latest_build(db, year, (DONE,))
    return _status(row) if row else None


def pending_build(year: int, *, db: Session) -> BuildStatus | None:
    """The build of the year that waits for a worker or is running (None: none)."""
    row = store.latest_build(db, year, PENDING)
    return _status(row) if row else None


def latest_failure(year: int, *, db: Session) -> BuildStatus | None:
    """The latest build of the year if it failed (None: it did not, or there is none)."""
    row = store.latest_build(db, year, (DONE, FAILED, *PENDING))
    return _status(row) if row is not None and row.status == FAILED else None


def built_figures(year: int, *, db: Session, by: Actor) -> dict[str, Any]:
    """The figures of the latest done build; refused (409) when the year was never built."""
    built = latest_built(year, db=db, by=by)
    if built is None or built.figures is None:
        raise not_built(year)
    return built.figures


def not_built(year: int) -> Conflict:
    return Conflict(
        "report_not_built",
        f"{year}年度の数値はまだ集計されていません。先に数値を集計してください。",
        f"The figures of reporting year {year} have not been built yet: build the figures first.",
        "year",
    )


def write_self_evaluation(
    year: int, text_ja: str, text_en: str, *, db: Session, at: dt.datetime, by: Actor
) -> BuildStatus:
    """Save the operator's self-evaluation and queue a new build, since the figures include it."""
    service.write_self_evaluation(year, text_ja, text_en, db=db, at=at, by=by)
    return request_build(year, db=db, at=at, by=by, again=True)


def build_now(year: int, *, db: Session, at: dt.datetime, by: Actor) -> BuildStatus:
    """Build the figures at once in the caller's transaction, outside any request (the demo loader)."""
    service.check_reader(year, by)
    figures = service.compute(year, db=db, at=at)
    row = store.ReportBuildRow(
        id=store.build_id(), year=year, status=DONE, requested_by=by.ident, requested_at=at, attempts=1,
        finished_at=at, figures=model.canonical(figures),
    )  # fmt: skip
    db.add(row)
    db.flush()
    return _status(row)


def publish_built(year: int, *, db: Session, at: dt.datetime, by: Actor) -> service.Edition:
    """Publish (freeze) exactly the figures of the latest done build: those the publisher saw. Refused
    while a build is pending, when there is none, or when it was built before the year ended."""
    service.check_publisher(year, by)
    if pending_build(year, db=db) is not None:
        raise Conflict(
            "report_build_pending",
            "数値の集計中です。集計が終わってから、表示された数値を確認して公表してください。",
            "The figures are being built: publish once the build is done and you have seen them.",
            "year",
        )
    figures = built_figures(year, db=db, by=by)
    if dt.datetime.fromisoformat(figures["computed_at"]) < model.reporting_period(year)[1]:
        raise Conflict(
            "report_built_too_early",
            "表示中の数値は年度が終わる前に集計されたものです。もう一度集計してから公表してください。",
            "The figures shown were built before the year ended: build them again, then publish.",
            "year",
        )
    return service.publish(year, db=db, at=at, by=by, figures=figures)


# ---------------------------------------------------------------- the worker's side


def _finish(factory: sessionmaker[Session], build_id: str, attempt: int, **values: object) -> bool:
    with transaction(factory) as db:
        return jobs.settle(db, store.ReportBuildRow, build_id, attempt, **values)


def run_build(build_id: str, *, factory: sessionmaker[Session], clock: Clock) -> str:
    """Run one build if nobody else holds it; returns what happened (done, failed, or skipped when
    another worker has it or it is finished)."""
    now = clock.now()
    row = store.ReportBuildRow
    with transaction(factory) as db:
        attempt = jobs.claim(db, row, build_id, now=now, lease=LEASE)
        if attempt is None:
            return "skipped"
        year = db.execute(select(row.year).where(row.id == build_id)).scalar_one()
    try:
        with transaction(factory) as db:  # read only: every figure from one transaction
            figures = service.compute(year, db=db, at=now)
    except Exception as exc:
        log.exception("report build %s (year %d) failed", build_id, year)
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
        _finish(factory, build_id, attempt, status=FAILED, finished_at=clock.now(), error=error)
        return FAILED
    stored = _finish(
        factory, build_id, attempt, status=DONE, finished_at=clock.now(), figures=model.canonical(figures)
    )
    return DONE if stored else "skipped"


def waiting(db: Session, *, now: dt.datetime, limit: int = 5) -> list[str]:
    """Builds a worker should take up: queued, or running under a lease that ended (a killed worker)."""
    return jobs.waiting(db, store.ReportBuildRow, now=now, limit=limit)


def _run_task(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, arguments: Mapping[str, object]
) -> str:
    return run_build(str(arguments["build_id"]), factory=factory, clock=clock)


BUILD_TASK = Task("transparency.build", _run_task, queue="reports")
