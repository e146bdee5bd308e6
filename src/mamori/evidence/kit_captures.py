"""Captures for a person without an account (the evidence kit), run by a worker, not inside the request.

Where the operator enables it (MAMORI_EVIDENCE_PUBLIC_CAPTURE), the kit page lets a person ask the server
to capture a public address. Asking (`request`) checks the address and writes one row together with the
job that runs it, and hands the person a random token: the address of the capture's page carries it, and
the row is found by the token's SHA-256 alone (the token itself is never stored, and the access log
shows it redacted). The page answers at once and follows the capture (`status`); a worker runs it
(`run`: claimed with a lease as staff captures are, so a killed worker's capture is taken up again and
its ZIP recorded once) and keeps the signed ZIP sealed at rest (AES-GCM, `vault`) under
<data_dir>/evidence/kit/. The person downloads it (`download`) as often as they need until it expires
(MAMORI_EVIDENCE_KIT_CAPTURE_KEEP_HOURS, counted from the request) or they delete it (`delete`); the
retention job (`purge_expired`) deletes expired rows and their files. Nothing about the person is kept:
no account, no address of theirs, only the page's address and the package.

At most MAMORI_EVIDENCE_KIT_CAPTURE_MAX_WAITING captures wait at once: each starts Chromium, so a flood
of requests is refused (503) rather than queued without end; the per-address rate limits of the kit and
of captures apply before that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import jobs
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.errors import DomainError, NotFound
from mamori.core.jobs import Job, Task, defer
from mamori.evidence import kit, netguard, package, store
from mamori.evidence.captures import DONE, QUEUED, RUNNING, capture_claimed, lease_for, settle
from mamori.evidence.settings import EvidenceSettings, evidence_settings
from mamori.evidence.vault import Vault

TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")  # secrets.token_urlsafe(24)
SEALED_NAME = "kit.zip"


@dataclass(frozen=True)
class KitCaptureStatus:
    url: str
    status: str
    requested_at: dt.datetime
    expires_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: int
    file_name: str | None
    size: int | None
    sha256: str | None
    error_code: str | None
    error_ja: str | None
    error_en: str | None

    @property
    def pending(self) -> bool:
        return self.status in (QUEUED, RUNNING)


def _key(token: str) -> str:
    """The row's id: the SHA-256 of the token (a token of the wrong shape is simply not found)."""
    if not TOKEN.fullmatch(token):
        raise NotFound("capture", token[:40])
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _file(settings: EvidenceSettings, capture_id: str, attempt: int) -> Path:
    """Each attempt writes a file of its own: the row (done by exactly one attempt) names which stays."""
    return settings.root / "kit" / f"{capture_id}.{attempt}.zip.sealed"


def _remove_files(settings: EvidenceSettings, capture_id: str) -> None:
    for path in (settings.root / "kit").glob(f"{capture_id}.*.zip.sealed"):
        path.unlink(missing_ok=True)


def _vault(settings: EvidenceSettings) -> Vault:
    return Vault(settings.secret_key)


def _bound(capture_id: str) -> str:
    return f"kit/{capture_id}"


def _status(row: store.KitCaptureRow) -> KitCaptureStatus:
    return KitCaptureStatus(
        url=row.url,
        status=row.status,
        requested_at=row.requested_at,
        expires_at=row.expires_at,
        finished_at=row.finished_at,
        attempts=row.attempts,
        file_name=row.file_name,
        size=row.size,
        sha256=row.sha256,
        error_code=row.error_code,
        error_ja=row.error_ja,
        error_en=row.error_en,
    )


def _off() -> DomainError:
    return DomainError(
        code="evidence_public_capture_off",
        status=404,
        ja="このサイトではサーバーによるページの保存を受け付けていません。",
        en="Server captures of a page are not offered here.",
    )


def request(url: str, *, db: Session, settings: Settings, clock: Clock) -> tuple[str, KitCaptureStatus]:
    """Queue a capture of a public `url` (caller's transaction); the token for its page, and its status.
    A bad or private address, the feature switched off, or a full queue is refused now."""
    if not settings.evidence_public_capture:
        raise _off()
    url = kit.check_url(url)
    netguard.check_url(url, allow_private=settings.allow_private_fetch)
    waiting = db.scalar(
        select(func.count())
        .select_from(store.KitCaptureRow)
        .where(store.KitCaptureRow.status.in_((QUEUED, RUNNING)))
    )
    if (waiting or 0) >= settings.evidence_kit_capture_max_waiting:
        raise DomainError(
            code="evidence_kit_capture_busy",
            status=503,
            field="url",
            ja="いま多くの保存依頼を処理しています。数分後にもう一度お試しください。",
            en="The server is busy with many captures. Try again in a few minutes.",
        )
    token = secrets.token_urlsafe(24)
    now = clock.now()
    row = store.KitCaptureRow(
        id=_key(token),
        url=url,
        requested_at=now,
        expires_at=now + dt.timedelta(hours=settings.evidence_kit_capture_keep_hours),
        status=QUEUED,
        attempts=0,
    )
    db.add(row)
    db.flush()
    defer(db, KIT_CAPTURE_TASK, capture_id=row.id)
    return token, _status(row)


def _live_row(token: str, db: Session, clock: Clock) -> store.KitCaptureRow:
    row = db.get(store.KitCaptureRow, _key(token))
    if row is None or row.expires_at <= clock.now():
        raise NotFound("capture", token[:8] + "…")
    return row


def status(token: str, *, db: Session, clock: Clock) -> KitCaptureStatus:
    """The capture's state for whoever holds its token (404 once it expired or was deleted)."""
    return _status(_live_row(token, db, clock))


def download(
    token: str, *, db: Session, settings: EvidenceSettings, clock: Clock
) -> tuple[KitCaptureStatus, Iterator[bytes]]:
    """The finished capture's ZIP, opened segment by segment (its first segment checked before this
    returns, so a damaged file fails before an answer starts)."""
    row = _live_row(token, db, clock)
    if row.status != DONE:
        raise DomainError(
            code="evidence_kit_capture_not_ready",
            status=409,
            ja="このページの保存はまだ終わっていません。",
            en="The capture of this page is not finished.",
        )
    path = _file(settings, row.id, row.attempts)
    if not path.is_file():
        raise NotFound("capture", token[:8] + "…")
    return _status(row), _vault(settings).open_stream(path, item_id=_bound(row.id), name=SEALED_NAME)


def delete(token: str, *, db: Session, settings: EvidenceSettings, clock: Clock) -> None:
    """The person deletes their capture now (caller's transaction; the file goes first)."""
    row = _live_row(token, db, clock)
    _remove_files(settings, row.id)
    db.delete(row)


def run(capture_id: str, *, factory: sessionmaker[Session], settings: EvidenceSettings, clock: Clock) -> str:
    """Run one kit capture if nobody else holds it: done, failed, queued again (retry) or skipped."""
    with transaction(factory) as db:
        attempt = jobs.claim(db, store.KitCaptureRow, capture_id, now=clock.now(), lease=lease_for(settings))
        if attempt is None:
            return "skipped"
        url = db.get_one(store.KitCaptureRow, capture_id).url
    result = capture_claimed(
        store.KitCaptureRow, capture_id, attempt, url, factory=factory, settings=settings, clock=clock
    )
    if isinstance(result, str):
        return result
    target = _file(settings, capture_id, attempt)
    scratch = settings.root / "scratch" / f"kit-{capture_id}.zip"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        file_name = kit.seal_capture(url, result, settings=settings, out=scratch)
        sha256 = package.sha256_file(scratch)
        size = scratch.stat().st_size
        _vault(settings).seal_file(scratch, target, item_id=_bound(capture_id), name=SEALED_NAME)
    finally:
        scratch.unlink(missing_ok=True)
    try:
        recorded = settle(
            factory, store.KitCaptureRow, capture_id, attempt, status=DONE, finished_at=clock.now(),
            file_name=file_name, size=size, sha256=sha256,
        )  # fmt: skip
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if not recorded:  # another worker took it over after the lease ended, or it was deleted meanwhile
        target.unlink(missing_ok=True)
        return "skipped"
    return DONE


def waiting(db: Session, *, now: dt.datetime, limit: int = 5) -> list[str]:
    """Kit captures a worker should take up: queued, or running under a lease that ended."""
    return jobs.waiting(db, store.KitCaptureRow, now=now, limit=limit)


def take_up_waiting(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        ids = waiting(db, now=clock.now())
    outcome: dict[str, int] = {}
    for capture_id in ids:
        result = run(capture_id, factory=factory, settings=evidence_settings(settings), clock=clock)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


def purge_expired(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Delete the kit captures past their time, with their files (files first: a crash between leaves
    a row whose download says not found, never a file without its row to find it by)."""
    ev = evidence_settings(settings)
    with transaction(factory) as db:
        expired = list(
            db.scalars(
                select(store.KitCaptureRow.id)
                .where(store.KitCaptureRow.expires_at <= clock.now())
                .limit(1000)
            )
        )
        for capture_id in expired:
            _remove_files(ev, capture_id)
        if expired:
            db.execute(sql_delete(store.KitCaptureRow).where(store.KitCaptureRow.id.in_(expired)))
    return len(expired)


def _run_task(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, arguments: Mapping[str, object]
) -> str:
    return run(
        str(arguments["capture_id"]), factory=factory, settings=evidence_settings(settings), clock=clock
    )


KIT_CAPTURE_TASK = Task("evidence.kit_capture", _run_task, queue="captures")
JOBS = [
    Job("evidence.kit_captures", take_up_waiting, order=41, queue="captures"),
    Job("evidence.kit_captures.purge", purge_expired, every=dt.timedelta(minutes=10), queue="retention"),
]


def counts_by_status(db: Session) -> dict[str, int]:
    """Kit captures by status (for /metrics: how many wait for a worker)."""
    rows = db.execute(select(store.KitCaptureRow.status, func.count()).group_by(store.KitCaptureRow.status))
    return {status: count for status, count in rows}
