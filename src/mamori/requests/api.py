"""JSON routes of the window: file a request (public), read cases and the clock (staff)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, EmailStr, Field
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from mamori.core.audit import Actor
from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.config import Settings
from mamori.core.db import run_single_statement_unit, transaction
from mamori.core.errors import DomainError
from mamori.core.text import SingleLineText
from mamori.notices import service as notices
from mamori.requests import service, store
from mamori.requests.model import Receipt
from mamori.requests.schema import ReceiptOut, RemovalRequestIn, json_schema
from mamori.web.deps import (
    PUBLIC,
    AppClock,
    AppSettings,
    DbSession,
    client_address,
    clock_of,
    limiter_for,
    rate_limit,
    require,
    settings_of,
)

router = APIRouter(prefix="/api/v1", tags=["removal requests"])


def check_intake_limit(request: Request, settings: Settings) -> None:
    """The API and the form share one count per client address (a proxy is believed only when trusted)."""
    limiter_for(request, "intake", settings.intake_rate_limit_per_minute).check(client_address(request))


def to_form(body: RemovalRequestIn, *, source: str, idempotency_key: str | None) -> service.RequestForm:
    return service.RequestForm(
        service=body.service,
        content_url=body.content_url,
        content_text=body.content_text,
        rights=[r.value for r in body.rights],
        reason=body.reason,
        requester=service.Requester(**body.requester.model_dump()),
        show_name_to_poster=body.show_name_to_poster,
        declaration_true=body.declaration_true,
        lang=body.lang,
        evidence=[service.EvidenceRef(**e.model_dump()) for e in body.evidence],
        source=source,
        idempotency_key=idempotency_key,
    )


@router.post("/removal-requests", status_code=201, response_model=ReceiptOut, dependencies=[PUBLIC])
async def file_removal_request(
    body: RemovalRequestIn,
    request: Request,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> ReceiptOut:
    """Receive a removal request (Art. 22). Answers with the receipt number and the time of receipt."""
    settings, clock = settings_of(request), clock_of(request)
    check_intake_limit(request, settings)
    form = to_form(body, source="api", idempotency_key=idempotency_key)
    at, by = clock.now(), Actor(f"public:{client_address(request)}")
    # One read and one write (a single statement on PostgreSQL), durable before the 201 is sent.
    engine = request.app.state.single_statement_engine
    if engine is not None:  # PostgreSQL: on the event loop, no thread hop
        receipt = await run_single_statement_unit(
            engine, lambda db: service.file_request(form, db=db, settings=settings, at=at, by=by)
        )
    else:  # SQLite (or a session factory given to the app): the whole unit in one thread-pool trip
        receipt = await run_in_threadpool(
            file_and_commit, request.app.state.session_factory, form, settings=settings, at=at, by=by
        )
    return ReceiptOut(
        id=receipt.case_id,
        receipt_number=receipt.receipt_number,
        received_at=to_jst(receipt.received_at).isoformat(),
        decision_due_at=to_jst(receipt.decision_due_at).isoformat(),
        follow_url=receipt.follow_url,
        repeat_of=receipt.repeat_of,
    )


def file_and_commit(
    factory: sessionmaker[Session],
    form: service.RequestForm,
    *,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> Receipt:
    with transaction(factory) as db:
        return service.file_request(form, db=db, settings=settings, at=at, by=by)


@router.get("/removal-requests/schema", dependencies=[PUBLIC])
def removal_request_schema() -> dict[str, Any]:
    """The JSON Schema of a removal request: the format other systems send."""
    return json_schema()


class QueueItemOut(BaseModel):
    id: str
    receipt_number: str
    stage: str
    clock: str
    received_at: str
    decision_due_at: str
    abuse_score: float | None


@router.get("/cases", response_model=list[QueueItemOut])
def list_open_cases(
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.read"))],
    state: str | None = None,
) -> list[QueueItemOut]:
    """Open cases, overdue first, then due soonest; `state` filters (overdue, due_soon, on_time)."""
    items = service.open_cases_by_clock(db=db, now=clock.now(), settings=settings)
    return [
        QueueItemOut(
            id=i.case_id,
            receipt_number=i.receipt_number,
            stage=i.stage,
            clock=i.state.value,
            received_at=to_jst(i.received_at).isoformat(),
            decision_due_at=to_jst(i.decision_due_at).isoformat(),
            abuse_score=i.abuse_score,
        )
        for i in items
        if state is None or i.state.value == state
    ]


@router.get("/cases/{case_id}")
def read_case(
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.read"))],
) -> dict[str, Any]:
    """The whole case, with personal data (the read is audited)."""
    case = service.get_case_row(db, case_id)
    now = clock.now()
    requester = service.requester_of(
        case, settings=settings, db=db, at=now, by=principal.actor, purpose="case_view"
    )
    poster = service.poster_of(
        case, settings=settings, db=db, at=now, by=principal.actor, purpose="case_view"
    )
    sealer = service.sealer_for(settings)
    texts = service.case_texts(case, settings)
    return {
        "id": case.id,
        "receipt_number": case.receipt_number,
        "stage": case.stage,
        "clock": service.clock_of(case, db=db, now=now, settings=settings).value,
        "received_at": to_jst(case.received_at).isoformat(),
        "decision_due_at": to_jst(case.decision_due_at).isoformat(),
        "content_url": case.content_url,
        "content_text": texts.content_text,
        "rights": case.rights_list,
        "reason": texts.reason,
        "requester": requester.__dict__,
        "show_name_to_poster": case.show_name_to_poster,
        "poster": poster.__dict__ if poster else None,
        "repeat_of": case.repeat_of,
        "abuse_score": case.abuse_score,
        "abuse_flags": json.loads(case.abuse_flags),
        "evidence": json.loads(case.evidence),
        "events": [
            {"at": to_jst(e.at).isoformat(), "kind": e.kind, "actor": e.actor, "detail": json.loads(e.detail)}
            for e in store.events(db, case.id)
        ],
        "notices": [
            {
                **notices.view(n, sealer).__dict__,
                "created_at": to_jst(n.created_at).isoformat(),
                "sent_at": to_jst(n.sent_at).isoformat() if n.sent_at else None,
            }
            for n in notices.for_case(db, case.id)
        ],
    }


class PosterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: Annotated[SingleLineText, Field(min_length=1, max_length=200)]
    email: EmailStr
    name: Annotated[SingleLineText, Field(max_length=200)] = ""


@router.post("/cases/{case_id}/poster", status_code=204)
def record_poster(
    case_id: str,
    body: PosterIn,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.edit"))],
) -> None:
    """Attach the poster's account and contact (from the platform's records), encrypted at rest."""
    service.record_poster(
        case_id,
        service.Poster(**body.model_dump()),
        db=db,
        settings=settings,
        at=clock.now(),
        by=principal.actor,
    )


@router.get(
    "/status/{receipt_number}", dependencies=[PUBLIC, rate_limit("follow", "follow_rate_limit_per_minute")]
)
def requester_status(
    receipt_number: str, key: str, db: DbSession, settings: AppSettings, clock: AppClock
) -> dict[str, Any]:
    """What the requester may see of their case, with the key from the receipt mail."""
    case = store.case_by_receipt(db, receipt_number)
    if case is None or not service.check_follow_secret(case, key, settings):
        raise DomainError(
            code="not_found",
            status=404,
            field="key",
            ja="受付番号またはキーが違います。受付メールを確認してください。",
            en="Wrong receipt number or key: check the receipt mail.",
        )
    return service.status_for_requester(case, db=db, now=clock.now(), settings=settings)
