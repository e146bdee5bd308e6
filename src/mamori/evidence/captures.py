"""Captures run by a worker, not inside the request: asked for (`request_capture`, the page and the API
answer at once with the capture's status), run (`run_capture`, by `mamori.evidence.jobs`), looked at
(`capture_status`).

A capture request is a row (`evidence_captures`): queued, running (leased to one worker for
`lease_for`), done (with its item) or failed (with the reason, in Japanese and English). The row is written
in the asker's transaction together with the job that runs it (`core.jobs.defer`), so an accepted
capture is never forgotten. Running is idempotent: a worker claims the row first; the item is recorded
only if the claim is still its own when it finishes, so a capture whose worker was killed is taken up
again once the lease ends, and at most one item is ever recorded per request.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import jobs
from mamori.core.auth import Principal
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import new_id, transaction
from mamori.core.errors import DomainError, NotFound
from mamori.core.jobs import Task, defer
from mamori.evidence import netguard, service, store
from mamori.evidence.capture import CaptureResult, capture_page
from mamori.evidence.model import Access, EvidenceItem, Owner, OwnerType, check_item_id
from mamori.evidence.settings import EvidenceSettings, evidence_settings

log = logging.getLogger("mamori.evidence.captures")


def lease_for(settings: EvidenceSettings) -> dt.timedelta:
    """How long a worker holds a capture: twice the longest capture (MAMORI_EVIDENCE_CAPTURE_TIMEOUT_S)
    and time to seal the package; a capture held longer belongs to a worker that was killed."""
    return dt.timedelta(seconds=2 * settings.capture_timeout_s + 30)


MAX_ATTEMPTS = 3  # unexpected failures (a crash of Chromium) are retried; a refused address is not

QUEUED, RUNNING = jobs.QUEUED, jobs.RUNNING
DONE, FAILED = "done", "failed"


@dataclass(frozen=True)
class CaptureStatus:
    id: str
    owner_type: str
    owner_id: str
    url: str
    status: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: int
    item: EvidenceItem | None
    error_code: str | None
    error_ja: str | None
    error_en: str | None

    @property
    def pending(self) -> bool:
        return self.status in (QUEUED, RUNNING)


def _status(row: store.EvidenceCaptureRow, db: Session) -> CaptureStatus:
    item = None
    if row.item_id:
        item = store.to_item(db.get_one(store.EvidenceItemRow, row.item_id))
    return CaptureStatus(
        id=row.id,
        owner_type=row.owner_type,
        owner_id=row.owner_id,
        url=row.url,
        status=row.status,
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        attempts=row.attempts,
        item=item,
        error_code=row.error_code,
        error_ja=row.error_ja,
        error_en=row.error_en,
    )


def request_capture(
    owner_type: str,
    owner_id: str,
    url: str,
    *,
    by: Principal,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
) -> CaptureStatus:
    """Queue a capture of `url` for a case or consultation (caller's transaction). Who may ask and a
    refused address are answered now; the page itself is fetched by a worker (which checks the
    address again, as it resolves then)."""
    owner = service.authorize(by, owner_type, owner_id, Access.change, db=db)
    netguard.check_url(url, allow_private=settings.allow_private_fetch)
    row = store.EvidenceCaptureRow(
        id=new_id(),
        owner_type=str(owner.type),
        owner_id=owner.id,
        url=url,
        reason=reason,
        requested_by=by.actor.ident,
        requested_at=clock.now(),
        status=QUEUED,
        attempts=0,
    )
    db.add(row)
    db.flush()
    defer(db, CAPTURE_TASK, capture_id=row.id)
    return _status(row, db)


def capture_status(capture_id: str, *, by: Principal, db: Session) -> CaptureStatus:
    """A capture's state, for whoever may read the evidence of its case or consultation (404 otherwise,
    as for a capture that does not exist)."""
    check_item_id(capture_id)
    row = db.get(store.EvidenceCaptureRow, capture_id)
    if row is None:
        raise NotFound("capture", capture_id)
    try:
        service.authorize(by, row.owner_type, row.owner_id, Access.read, db=db)
    except DomainError:
        raise NotFound("capture", capture_id) from None
    return _status(row, db)


def capture_claimed(
    row: Any,
    capture_id: str,
    attempt: int,
    url: str,
    *,
    factory: sessionmaker[Session],
    settings: EvidenceSettings,
    clock: Clock,
) -> CaptureResult | str:
    """Run Chromium for a capture this worker claimed (a row of `row`'s table). A failure is recorded on
    the row here: final with its reason (a refused address, a page that failed), or, for an unexpected
    error, queued again until MAX_ATTEMPTS; then FAILED or QUEUED is returned instead of the result."""
    try:
        return capture_page(url, settings=settings, clock=clock)
    except DomainError as exc:  # refused address, limit reached, page failed: final, with the reason
        settle(
            factory, row, capture_id, attempt, status=FAILED, finished_at=clock.now(),
            error_code=exc.code, error_ja=exc.ja, error_en=exc.en,
        )  # fmt: skip
        return FAILED
    except Exception as exc:
        log.exception("capture %s failed (attempt %d)", capture_id, attempt)
        if attempt >= MAX_ATTEMPTS:
            settle(
                factory, row, capture_id, attempt, status=FAILED, finished_at=clock.now(),
                error_code="evidence_capture_error",
                error_ja=f"取得中にエラーが起きました ({attempt} 回試行): {type(exc).__name__}",
                error_en=f"The capture failed ({attempt} attempts): {type(exc).__name__}",
            )  # fmt: skip
            return FAILED
        settle(factory, row, capture_id, attempt, status=QUEUED)
        return QUEUED


def settle(factory: sessionmaker[Session], row: Any, capture_id: str, attempt: int, **values: object) -> bool:
    """Record the end of an attempt on a capture row of `row`'s table, in a transaction of its own."""
    with transaction(factory) as db:
        return jobs.settle(db, row, capture_id, attempt, **values)


def run_capture(
    capture_id: str, *, factory: sessionmaker[Session], settings: EvidenceSettings, clock: Clock
) -> str:
    """Run one capture request if nobody else holds it; returns what happened (done, failed, queued
    again for a retry, or skipped when another worker has it or it is finished)."""
    now = clock.now()
    with transaction(factory) as db:
        attempt = jobs.claim(db, store.EvidenceCaptureRow, capture_id, now=now, lease=lease_for(settings))
        if attempt is None:
            return "skipped"
        row = db.get_one(store.EvidenceCaptureRow, capture_id)
        url, reason, actor = row.url, row.reason, row.requested_by
        owner = Owner(OwnerType(row.owner_type), row.owner_id)
    result = capture_claimed(
        store.EvidenceCaptureRow, capture_id, attempt, url, factory=factory, settings=settings, clock=clock
    )
    if isinstance(result, str):
        return result
    item_id = new_id()
    try:
        with transaction(factory) as db:
            if not jobs.settle(
                db, store.EvidenceCaptureRow, capture_id, attempt, status=DONE, finished_at=clock.now()
            ):
                raise _Overtaken
            service.keep_capture(
                owner, url, result, actor=actor, reason=reason, db=db, settings=settings, clock=clock,
                item_id=item_id,
            )  # fmt: skip
            db.flush()
            db.execute(
                update(store.EvidenceCaptureRow)
                .where(store.EvidenceCaptureRow.id == capture_id)
                .values(item_id=item_id)
            )
    except _Overtaken:
        service.discard_files(item_id, settings)
        return "skipped"
    except BaseException:
        service.discard_files(item_id, settings)
        raise
    return DONE


class _Overtaken(Exception):
    """Another worker took the capture over (this one outlived its lease)."""


def waiting(db: Session, *, now: dt.datetime, limit: int = 5) -> list[str]:
    """Captures a worker should take up: queued, or running under a lease that ended (a killed worker)."""
    return jobs.waiting(db, store.EvidenceCaptureRow, now=now, limit=limit)


def _run_task(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, arguments: Mapping[str, object]
) -> str:
    capture_id = str(arguments["capture_id"])
    return run_capture(capture_id, factory=factory, settings=evidence_settings(settings), clock=clock)


CAPTURE_TASK = Task("evidence.capture", _run_task, queue="captures")


def counts_by_status(db: Session) -> dict[str, int]:
    """Capture requests by status (for /metrics: how many wait for a worker)."""
    rows = db.execute(
        select(store.EvidenceCaptureRow.status, func.count()).group_by(store.EvidenceCaptureRow.status)
    )
    return {status: count for status, count in rows}
