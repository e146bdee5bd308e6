"""Large log files imported by a worker, not inside the request: asked for (`request_import`, the API
and `mamori logs import --queue` answer at once with the import's id), run (`run_import`, by
`mamori.logs.jobs`), looked at (`import_status`).

An import is a row (`logs_import`): queued, running (leased to one worker for `LEASE`), done (with the
number of rows stored) or failed (the first bad row as file:line, the field and what to fix, in Japanese
and English). The file waits in the database, not on a disk, so a worker on any machine can run it:
gzip-compressed, then sealed with a fresh data key of the logs' keyring (it holds the same poster data
as the rows). The row and the job that runs it are written in the asker's transaction
(`core.jobs.defer`). The rows of the file are written in one transaction together with `settle`, so a
file is stored whole or not at all, and an import whose worker was killed is taken up again once its
lease ends and stored once. The uploaded bytes are deleted in the transaction that settles the import,
done or failed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import os
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import jobs
from mamori.core.audit import Actor, record
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import new_id, transaction
from mamori.core.errors import DomainError, NotFound
from mamori.core.jobs import Task, defer
from mamori.logs import ingest, service
from mamori.logs.keys import NONCE, keyring
from mamori.logs.store import LogImportRow

log = logging.getLogger("mamori.logs.imports")

# An import held longer than this belongs to a worker that was killed (millions of rows take minutes).
LEASE = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 3  # unexpected failures (the database went away) are retried; a bad row is not
# The largest file accepted (as sent, before compression). MAMORI_LOGS_IMPORT_MAX_BYTES once the setting
# exists in core.config; the web layer's body limit for /api/v1/logs/imports must be at least this.
FORMATS = ("jsonl", "csv")
IMPORT_ID = re.compile(r"[0-9a-f]{32}")
FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

QUEUED, RUNNING = jobs.QUEUED, jobs.RUNNING
DONE, FAILED = "done", "failed"


def max_bytes(settings: Settings) -> int:
    """The largest file an import takes (MAMORI_LOGS_IMPORT_MAX_BYTES, 512 MiB by default)."""
    return settings.logs_import_max_bytes


def too_large(limit: int) -> DomainError:
    mib = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    return DomainError(
        code="logs_import_too_large",
        field="body",
        ja=f"ファイルが大きすぎます (上限 {mib} MB)。ファイルを分けて送ってください。",
        en=f"The file is too large (limit {mib} MB): split it and send the parts.",
        status=413,
    )


@dataclass
class Upload:
    """A file as it arrives, gzip-compressed chunk by chunk and refused once past `limit` bytes."""

    limit: int
    size: int = 0
    _parts: list[bytes] = field(default_factory=list)
    _zip: zlib._Compress = field(default_factory=lambda: zlib.compressobj(6, zlib.DEFLATED, 31))

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise too_large(self.limit)
        self._parts.append(self._zip.compress(chunk))

    def compressed(self) -> bytes:
        self._parts.append(self._zip.flush())
        return b"".join(self._parts)


def read_upload(chunks: Iterable[bytes], limit: int) -> Upload:
    upload = Upload(limit)
    for chunk in chunks:
        upload.feed(chunk)
    return upload


@dataclass(frozen=True)
class ImportStatus:
    id: str
    kind: str
    format: str
    filename: str
    status: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    attempts: int
    size_bytes: int
    rows: int | None
    error_code: str | None
    error_field: str | None
    error_ja: str | None
    error_en: str | None

    @property
    def pending(self) -> bool:
        return self.status in (QUEUED, RUNNING)


def _status(row: LogImportRow) -> ImportStatus:
    return ImportStatus(
        id=row.id,
        kind=row.kind,
        format=row.format,
        filename=row.filename,
        status=row.status,
        requested_at=row.requested_at,
        finished_at=row.finished_at,
        attempts=row.attempts,
        size_bytes=row.size_bytes,
        rows=row.rows,
        error_code=row.error_code,
        error_field=row.error_field,
        error_ja=row.error_ja,
        error_en=row.error_en,
    )


def check_request(kind: str, fmt: str) -> None:
    """The kind and the format, refused before a byte of the file is read."""
    ingest.check_kind(kind)
    if fmt not in FORMATS:
        raise DomainError(
            code="logs_bad_format",
            field="format",
            ja="形式は jsonl か csv です。",
            en="The format is jsonl or csv.",
        )


def request_import(
    kind: str,
    fmt: str,
    filename: str,
    upload: Upload,
    *,
    by: Actor,
    db: Session,
    at: dt.datetime,
    settings: Settings,
) -> ImportStatus:
    """Queue the import of a file of one kind (caller's transaction): the file is kept compressed and
    sealed until a worker has stored its rows or named its bad row, then deleted."""
    service.may_ingest(by)
    check_request(kind, fmt)
    if upload.size == 0:
        raise DomainError(
            code="logs_import_empty",
            field="body",
            ja="ファイルが空です。記録を 1 行以上入れてください。",
            en="The file is empty: send at least one record.",
        )
    import_id = new_id()
    key_id, aead = keyring(db, settings, at=at).new_data_key(db, at=at)
    nonce = os.urandom(NONCE)
    name = FILENAME.sub("_", filename).strip("._")[:200] or f"import.{fmt}"
    db.add(
        LogImportRow(
            id=import_id,
            kind=kind,
            format=fmt,
            filename=name,
            status=QUEUED,
            requested_by=by.ident[:200],
            requested_at=at,
            attempts=0,
            size_bytes=upload.size,
            key_id=key_id,
            upload=nonce + aead.encrypt(nonce, upload.compressed(), import_id.encode()),
        )
    )
    db.flush()
    defer(db, IMPORT_TASK, import_id=import_id)
    record(
        db,
        at=at,
        actor=by,
        action="logs.import_requested",
        subject_type="logs_import",
        subject_id=import_id,
        kind=kind,
        format=fmt,
        size_bytes=upload.size,
        filename=name,
    )
    return _status(db.get_one(LogImportRow, import_id))


def import_status(import_id: str, *, by: Actor, db: Session) -> ImportStatus:
    """An import's state, for who asked for it or a legal officer (logs.manage); 404 for anyone else, as
    for an import that does not exist; 403 without the permission to send logs."""
    service.may_ingest(by)
    row = db.get(LogImportRow, import_id) if IMPORT_ID.fullmatch(import_id) else None
    if row is None or (row.requested_by != by.ident[:200] and not by.may("logs.manage")):
        raise NotFound("import", import_id)
    return _status(row)


def _rows(row: LogImportRow, db: Session, settings: Settings, at: dt.datetime) -> ingest.NumberedRows:
    assert row.upload is not None and row.key_id is not None
    aead: AESGCM = keyring(db, settings, at=at).data_key(db, row.key_id)
    compressed = aead.decrypt(row.upload[:NONCE], row.upload[NONCE:], row.id.encode())
    text = io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(compressed)), encoding="utf-8", newline="")
    return ingest.read_text(text, row.filename, row.format)


def _fail(
    factory: sessionmaker[Session], import_id: str, attempt: int, at: dt.datetime, error: DomainError
) -> str:
    with transaction(factory) as db:
        if not jobs.settle(
            db, LogImportRow, import_id, attempt, status=FAILED, finished_at=at, upload=None,
            error_code=error.code, error_field=(error.field or "")[:300] or None,
            error_ja=error.ja, error_en=error.en,
        ):  # fmt: skip
            return "skipped"
        requested_by = db.get_one(LogImportRow, import_id).requested_by
        record(
            db, at=at, actor=requested_by, action="logs.import_failed", subject_type="logs_import",
            subject_id=import_id, code=error.code, field=error.field,
        )  # fmt: skip
    return FAILED


def run_import(import_id: str, *, factory: sessionmaker[Session], settings: Settings, clock: Clock) -> str:
    """Run one import if nobody else holds it; returns what happened (done, failed, queued again for a
    retry, or skipped when another worker has it or it is finished)."""
    with transaction(factory) as db:
        attempt = jobs.claim(db, LogImportRow, import_id, now=clock.now(), lease=LEASE)
        if attempt is None:
            return "skipped"
    try:
        with transaction(factory) as db:
            row = db.get_one(LogImportRow, import_id)
            kind, filename, requested_by = row.kind, row.filename, row.requested_by
            rows = _rows(row, db, settings, clock.now())
            # the end is recorded first, in the transaction that writes the rows: both land or neither
            if not jobs.settle(
                db, LogImportRow, import_id, attempt, status=DONE, finished_at=clock.now(), upload=None
            ):
                raise _Overtaken
            count = ingest.write(
                db, kind, rows, actor=Actor(requested_by), at=clock.now(), settings=settings,
                source=f"import:{filename}", numbered=True,
            )  # fmt: skip
            db.execute(update(LogImportRow).where(LogImportRow.id == import_id).values(rows=count))
    except _Overtaken:
        return "skipped"
    except DomainError as exc:  # a bad row (file:line, field, what to fix): final, nothing was written
        return _fail(factory, import_id, attempt, clock.now(), exc)
    except (UnicodeDecodeError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        problem = DomainError(
            code="logs_import_unreadable",
            field="body",
            ja=f"ファイルを UTF-8 の文字として読めません ({type(exc).__name__})。UTF-8 で保存して送り直してください。",
            en=f"The file cannot be read as UTF-8 text ({type(exc).__name__}); save it as UTF-8 and send it again.",
        )
        return _fail(factory, import_id, attempt, clock.now(), problem)
    except Exception as exc:
        log.exception("log import %s failed (attempt %d)", import_id, attempt)
        if attempt >= MAX_ATTEMPTS:
            problem = DomainError(
                code="logs_import_error",
                ja=f"取り込み中にエラーが起きました ({attempt} 回試行): {type(exc).__name__}。何も書き込んでいません。",
                en=f"The import failed ({attempt} attempts): {type(exc).__name__}; nothing was written.",
            )
            return _fail(factory, import_id, attempt, clock.now(), problem)
        with transaction(factory) as db:
            jobs.settle(db, LogImportRow, import_id, attempt, status=QUEUED)
        return QUEUED
    return DONE


class _Overtaken(Exception):
    """Another worker took the import over (this one outlived its lease)."""


def waiting(db: Session, *, now: dt.datetime, limit: int = 5) -> list[str]:
    """Imports a worker should take up: queued, or running under a lease that ended (a killed worker)."""
    return jobs.waiting(db, LogImportRow, now=now, limit=limit)


def _run_task(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, arguments: Mapping[str, object]
) -> str:
    return run_import(str(arguments["import_id"]), factory=factory, settings=settings, clock=clock)


IMPORT_TASK = Task("logs.import", _run_task, queue="imports")
