"""logs: the JSON API. Ingestion for the log source (logs.ingest); reads and holds for the legal
officer (disclosure.read, logs.manage). The rules live in logs.service; these routes parse and answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from mamori.core.auth import Principal
from mamori.logs import imports, service
from mamori.web.deps import AppClock, AppSettings, DbSession, require

router = APIRouter(tags=["logs"])

MAX_BATCH = 1000
STREAM_PIECE = 1024 * 1024

Ingester = Annotated[Principal, Depends(require("logs.ingest"))]
Reader = Annotated[Principal, Depends(require("disclosure.read"))]
Manager = Annotated[Principal, Depends(require("logs.manage"))]
Row = dict[str, str | int | None]


BatchId = Field(
    None,
    min_length=1,
    max_length=100,
    pattern=r"^[A-Za-z0-9._:-]+$",
    description="The sender's id for this batch: a retry with the same id is not stored twice.",
)


class EventBatch(BaseModel):
    batch_id: str | None = BatchId
    events: list[Row] = Field(
        min_length=1, max_length=MAX_BATCH, description="kind, account_id, occurred_at, ip, port, …"
    )


class AssignmentBatch(BaseModel):
    batch_id: str | None = BatchId
    assignments: list[Row] = Field(
        min_length=1, max_length=MAX_BATCH, description="subscriber_id, ip, port_start, port_end, start, end"
    )


class HolderBatch(BaseModel):
    batch_id: str | None = BatchId
    holders: list[Row] = Field(
        min_length=1, max_length=MAX_BATCH, description="account_id, name, address, phone, email, closed_at"
    )


class HoldRequest(BaseModel):
    basis: str = Field(max_length=30, description="erasure_order, disclosure_request or legal_officer")
    reference: str = Field(min_length=1, max_length=200, description="case number or request id")
    account_id: str | None = Field(None, max_length=200)
    ip: str | None = Field(None, max_length=64)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    until: dt.datetime | None = None


class Release(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def _json(value: Any) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in asdict(value).items()}


@router.post("/api/v1/logs/events", status_code=201)
def ingest_events(
    body: EventBatch, principal: Ingester, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, int]:
    """Account and post events (at most 1000 a call); one bad row: nothing is stored (422 names it)."""
    count = service.ingest_events(
        db,
        rows=body.events,
        actor=principal.actor,
        at=clock.now(),
        settings=settings,
        source="api",
        batch_id=body.batch_id,
    )
    return {"stored": count}


@router.post("/api/v1/logs/assignments", status_code=201)
def ingest_assignments(
    body: AssignmentBatch, principal: Ingester, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, int]:
    """IP assignment records of the access provider (at most 1000 a call)."""
    count = service.ingest_assignments(
        db,
        rows=body.assignments,
        actor=principal.actor,
        at=clock.now(),
        settings=settings,
        source="api",
        batch_id=body.batch_id,
    )
    return {"stored": count}


@router.post("/api/v1/logs/holders", status_code=201)
def ingest_holders(
    body: HolderBatch, principal: Ingester, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, int]:
    """Account holders' registered details (a newer row replaces the account's older one)."""
    count = service.ingest_holders(
        db,
        rows=body.holders,
        actor=principal.actor,
        at=clock.now(),
        settings=settings,
        source="api",
        batch_id=body.batch_id,
    )
    return {"stored": count}


def import_json(status: imports.ImportStatus) -> dict[str, Any]:
    error = None
    if status.error_code:
        error = {
            "code": status.error_code,
            "field": status.error_field,
            "message": {"ja": status.error_ja, "en": status.error_en},
        }
    return {
        "id": status.id,
        "kind": status.kind,
        "format": status.format,
        "filename": status.filename,
        "status": status.status,
        "requested_at": status.requested_at.isoformat(),
        "finished_at": status.finished_at.isoformat() if status.finished_at else None,
        "attempts": status.attempts,
        "size_bytes": status.size_bytes,
        "stored": status.rows,
        "error": error,
        "status_url": f"/api/v1/logs/imports/{status.id}",
    }


@router.post("/api/v1/logs/imports", status_code=202)
async def request_import(
    request: Request,
    response: Response,
    principal: Ingester,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    kind: Annotated[str, Query(max_length=20, description="events, assignments or holders")],
    format: Annotated[str, Query(max_length=10, description="jsonl or csv")] = "jsonl",
    filename: Annotated[str, Query(max_length=200, description="the file's name, for file:line")] = "",
) -> dict[str, Any]:
    """A whole log file as the request body (JSON lines or CSV, UTF-8), imported by a worker. Answers at
    once (202) with the import's status; `status_url` says when its rows are stored, or names the bad
    row (file:line, field, what to fix); nothing of a file with a bad row is stored. 413 past the limit."""
    imports.check_request(kind, format)
    upload = imports.Upload(imports.max_bytes(settings))
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > upload.limit:
        raise imports.too_large(upload.limit)
    # compressed off the event loop (zlib lets go of the GIL), a megabyte at a time
    pending = bytearray()
    async for chunk in request.stream():
        pending += chunk
        if len(pending) >= STREAM_PIECE:
            await run_in_threadpool(upload.feed, bytes(pending))
            pending.clear()
    await run_in_threadpool(upload.feed, bytes(pending))
    status = await run_in_threadpool(
        imports.request_import,
        kind,
        format,
        filename or f"{kind}.{format}",
        upload,
        by=principal.actor,
        db=db,
        at=clock.now(),
        settings=settings,
    )
    await run_in_threadpool(db.commit)  # the 202 means the import is queued for good
    response.headers["Location"] = f"/api/v1/logs/imports/{status.id}"
    return import_json(status)


@router.get("/api/v1/logs/imports/{import_id}")
def import_state(
    import_id: Annotated[str, PathParam(max_length=32)], principal: Ingester, db: DbSession
) -> dict[str, Any]:
    """An import's status: queued, running, done (`stored` rows) or failed (the bad row, in ja and en)."""
    return import_json(imports.import_status(import_id, by=principal.actor, db=db))


@router.get("/api/v1/logs/accounts/{account_id}/events")
def account_events(
    account_id: Annotated[str, PathParam(max_length=200)],
    start: dt.datetime,
    end: dt.datetime,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, Any]:
    """Every event of the account with start <= time < end (times with their offset)."""
    events = service.events_of_account(
        db,
        account_id=account_id,
        start=start,
        end=end,
        actor=principal.actor,
        at=clock.now(),
        settings=settings,
    )
    return {"events": [_json(e) for e in events]}


@router.get("/api/v1/logs/accounts/{account_id}/holder")
def account_holder(
    account_id: Annotated[str, PathParam(max_length=200)],
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, Any]:
    holder = service.account_holder(
        db, account_id=account_id, actor=principal.actor, at=clock.now(), settings=settings
    )
    return {"holder": _json(holder) if holder else None}


@router.get("/api/v1/logs/posts/{post_id}/event")
def post_event(
    post_id: Annotated[str, PathParam(max_length=200)],
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, Any]:
    """The event that created the post (ip, port, time, account)."""
    event = service.post_event(db, post_id=post_id, actor=principal.actor, at=clock.now(), settings=settings)
    return {"event": _json(event) if event else None}


@router.get("/api/v1/logs/lookup")
def lookup(
    ip: Annotated[str, Query(max_length=64)],
    at: Annotated[dt.datetime, Query(description="the moment, ISO 8601 with offset")],
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    port: Annotated[int | None, Query(ge=0, le=65535)] = None,
) -> dict[str, Any]:
    """Who held IP `ip` (and `port`) at `at`: held (with the subscriber), ambiguous or not_held."""
    answer = service.who_held(
        db, ip=ip, port=port, when=at, actor=principal.actor, at=clock.now(), settings=settings
    )
    return {
        "status": answer.status,
        "subscriber_id": answer.subscriber_id,
        "candidates": answer.candidates,
        "reason": {"ja": answer.reason_ja, "en": answer.reason_en},
    }


@router.get("/api/v1/logs/holds")
def list_holds(
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    all: bool = False,
) -> dict[str, Any]:
    found = service.holds(db, actor=principal.actor, at=clock.now(), active_only=not all, settings=settings)
    return {"holds": [_json(h) for h in found]}


@router.post("/api/v1/logs/holds", status_code=201)
def place_hold(
    body: HoldRequest, principal: Manager, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, str]:
    hold_id = service.place_hold(
        db,
        actor=principal.actor,
        at=clock.now(),
        basis=body.basis,
        reference=body.reference,
        account_id=body.account_id,
        ip=body.ip,
        start=body.start,
        end=body.end,
        until=body.until,
        settings=settings,
    )
    return {"id": hold_id}


@router.post("/api/v1/logs/holds/{hold_id}/release")
def release_hold(
    hold_id: Annotated[str, PathParam(max_length=32)],
    body: Release,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, str]:
    service.release_hold(
        db, hold_id=hold_id, actor=principal.actor, at=clock.now(), reason=body.reason, settings=settings
    )
    return {"id": hold_id, "status": "released"}
