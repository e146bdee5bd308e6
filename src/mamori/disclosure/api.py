"""disclosure: the JSON API under /api/v1/disclosure (legal officer), and the one route another mamori
calls: POST /api/v1/disclosure/handovers (a content provider handing on a 提供命令, with its key)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.core.auth import Principal
from mamori.disclosure import chain, clocks, hearing, package, service
from mamori.disclosure.model import KIND_LABELS, MatterKind
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit, require

router = APIRouter(prefix="/api/v1/disclosure", tags=["disclosure"])
Reader = Annotated[Principal, Depends(require("disclosure.read"))]
Manager = Annotated[Principal, Depends(require("disclosure.manage"))]
JsonBody = Annotated[dict[str, Any], Body()]


def _matter(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "number": row.number,
        "kind": row.kind,
        "status": row.status,
        "hold": bool(row.hold_id),
    }


@router.post("/requests", status_code=201)
def submit_request(
    data: JsonBody, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Register a disclosure request (発信者情報開示請求書) as mamori's drafting part writes it, with
    optional post_id / account_id / received_at / recipient beside it."""
    row = service.submit_request(data, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return _matter(row)


@router.post("/orders", status_code=201)
def register_order(
    data: JsonBody, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Register a court order: 開示命令, 提供命令 or 消去禁止命令 (kind, court, case_number, served_at, …)."""
    row = service.register_order(data, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return _matter(row)


@router.get("/matters")
def queue(
    db: DbSession, settings: AppSettings, clock: AppClock, principal: Reader, all: bool = False
) -> list[dict[str, Any]]:
    """Open matters, what needs someone now first, then by due time (all=true: closed ones too)."""
    items = clocks.queue(db=db, settings=settings, now=clock.now(), by=principal.actor, open_only=not all)
    return [
        {
            "id": i.id,
            "number": i.number,
            "kind": i.kind,
            "kind_label": dict(zip(("ja", "en"), KIND_LABELS[MatterKind(i.kind)], strict=True)),
            "court": i.court,
            "case_number": i.case_number,
            "served_at": i.served_at,
            "clock": {"state": i.clock.state.value, "label": i.clock.label, "due_at": i.clock.due_at},
            "status": i.status,
            "marks": i.marks,
        }
        for i in items
    ]


@router.get("/matters/{matter_id}")
def matter(
    matter_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Reader
) -> dict[str, Any]:
    """One matter with its details (an audited read of personal data), steps, clocks and hearings."""
    v = clocks.view(matter_id, db=db, settings=settings, now=clock.now(), by=principal.actor)
    return {
        **_matter(v.row),
        "court": v.row.court,
        "case_number": v.row.case_number,
        "served_at": v.row.served_at,
        "items": [i for i in v.row.items.split(",") if i],
        "withheld_from_poster": [i for i in v.row.withheld.split(",") if i],
        "details": v.details,
        "clock": {"state": v.clock.state.value, "label": v.clock.label, "due_at": v.clock.due_at},
        "objection_suit_ends_at": v.objection_ends_at,
        "filing_ends_at": v.filing_ends_at,
        "final": v.final,
        "poster_notice": v.poster_notice,
        "provider": {"name": v.provider.name, "address": v.provider.address} if v.provider else None,
        "hearings": [
            {
                "status": h.status,
                "created_at": h.created_at,
                "received_at": h.received_at,
                "ends_at": h.ends_at,
                "answered_at": h.answered_at,
                "reason": hearing.reason_of(h, settings),
            }
            for h in v.hearings
        ],
        "productions": [
            {
                "sequence": p.sequence,
                "produced_at": p.produced_at,
                "produced_by": p.produced_by,
                "sha256": p.package_sha256,
                "repeat_reason": p.repeat_reason,
            }
            for p in v.productions
        ],
        "steps": [{"at": s.at, "kind": s.kind, "actor": s.actor} for s in v.steps],
    }


class Moment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    at: dt.datetime | None = None


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    grant: bool
    reason: Annotated[str, Field(max_length=2000)] = ""


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Annotated[str, Field(max_length=2000)] = ""


class SuitResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    upheld: bool


def _at(body: Moment, now: dt.datetime) -> dt.datetime:
    if body.at is not None and body.at.tzinfo is None:
        raise ValueError("時差を付けてください (例: +09:00) / give the offset (e.g. +09:00)")
    return body.at or now


@router.post("/matters/{matter_id}/hearing", status_code=201)
def start_hearing(
    matter_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Send the poster the opinion hearing (Art. 6(1)) by mail with a single-use link."""
    row = hearing.start_hearing(matter_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return {"status": row.status, "window_days": row.window_days}


@router.post("/matters/{matter_id}/decision")
def decide(
    matter_id: str, body: Decision, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    row = service.decide_request(
        matter_id, body.grant, body.reason, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return _matter(row)


@router.post("/matters/{matter_id}/objection-suit")
def objection_suit(
    matter_id: str, body: Moment, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    now = clock.now()
    row = service.record_objection_suit(
        matter_id, _at(body, now), db=db, settings=settings, at=now, by=principal.actor
    )
    return _matter(row)


@router.post("/matters/{matter_id}/suit-result")
def suit_result(
    matter_id: str,
    body: SuitResult,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Manager,
) -> dict[str, Any]:
    row = service.record_suit_result(
        matter_id, body.upheld, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return _matter(row)


@router.post("/matters/{matter_id}/provider")
def identify_provider(
    matter_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Find the access provider of the poster's IP address in the configured ranges."""
    provider = service.identify_provider(
        matter_id, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return {"provider": {"name": provider.name, "address": provider.address} if provider else None}


@router.post("/matters/{matter_id}/provider-told")
def provider_told(
    matter_id: str, body: Moment, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Record that the requester was given the access provider's name and address."""
    now = clock.now()
    provider = chain.tell_requester_provider(
        matter_id, _at(body, now), db=db, settings=settings, at=now, by=principal.actor
    )
    return {"provider": {"name": provider.name, "address": provider.address}}


@router.post("/matters/{matter_id}/filing")
def filing(
    matter_id: str, body: Moment, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Record that the requester said they filed against the access provider."""
    now = clock.now()
    row = chain.record_filing_notice(
        matter_id, _at(body, now), db=db, settings=settings, at=now, by=principal.actor
    )
    return _matter(row)


@router.post("/matters/{matter_id}/handover")
def hand_over(
    matter_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    """Hand the IP address, port and time of sending to the access provider's mamori."""
    answer = chain.hand_over(matter_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return {"answer": answer}


@router.post("/matters/{matter_id}/end")
def end(
    matter_id: str, body: Reason, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    row = service.end_matter(
        matter_id, body.reason, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return _matter(row)


@router.post("/matters/{matter_id}/package")
def produce_package(
    matter_id: str, body: Reason, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> Response:
    """The signed disclosure package (a second production needs a reason, and is recorded)."""
    made = package.produce(
        matter_id, db=db, settings=settings, at=clock.now(), by=principal.actor, repeat_reason=body.reason
    )
    return Response(
        made.content,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{made.file_name}"'},
    )


class ProviderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=200)]
    address: Annotated[str, Field(max_length=2000)]
    ranges: Annotated[list[Annotated[str, Field(max_length=50)]], Field(max_length=200)]
    api_url: Annotated[str, Field(max_length=500)] = ""
    key: Annotated[str, Field(max_length=200)] = ""


@router.get("/providers")
def providers(db: DbSession, principal: Reader) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "address": p.address, "ranges": ranges, "api_url": p.api_url}
        for p, ranges in chain.providers(db=db, by=principal.actor)
    ]


@router.post("/providers", status_code=201)
def add_provider(
    body: ProviderIn, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> dict[str, Any]:
    row = chain.add_provider(
        body.name,
        body.address,
        body.ranges,
        body.api_url,
        body.key,
        db=db,
        settings=settings,
        at=clock.now(),
        by=principal.actor,
    )
    return {"id": row.id, "name": row.name}


@router.post(
    "/handovers",
    status_code=201,
    dependencies=[PUBLIC, rate_limit("follow", "follow_rate_limit_per_minute")],
)
def receive_handover(
    request: Request, data: JsonBody, db: DbSession, settings: AppSettings, clock: AppClock
) -> JSONResponse:
    """(Access provider) a content provider hands on a 提供命令's IP address, port and time; the
    caller proves who it is with the key we gave it (Authorization: Bearer …). Public route: the key,
    checked in the service, is the credential, as for the other key pages (rate limited)."""
    header = request.headers.get("authorization", "")
    key = header[7:].strip() if header[:7].lower() == "bearer " else ""
    row, status, candidates = chain.receive_handover(key, data, db=db, settings=settings, at=clock.now())
    return JSONResponse({"number": row.number, "status": status, "candidates": candidates}, status_code=201)
