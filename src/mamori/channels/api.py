"""channels: the JSON API a trusted body calls (its key as a Bearer token, or its member's sign-in)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from mamori.channels import service
from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.text import MultiLineText, SingleLineText
from mamori.requests.model import Right
from mamori.requests.service import EvidenceRef
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, limiter_for, require

router = APIRouter(prefix="/api/v1/channels", tags=["trusted channels"])
Submitter = Annotated[Principal, Depends(require("channel.submit"))]


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    description: Annotated[MultiLineText, Field(max_length=500)] = ""
    url: Annotated[SingleLineText, Field(max_length=2000)] = ""


class TrustedRequestIn(BaseModel):
    """A trusted body's removal request (the body itself is the requester; 情プラ法 Art. 22)."""

    model_config = ConfigDict(extra="forbid", title="mamori trusted request (信頼できる機関からの削除要請)")

    service: Annotated[SingleLineText, Field(min_length=1, max_length=60, description="The service's slug.")]
    content_url: Annotated[SingleLineText, Field(max_length=2000, pattern=r"^https?://\S+$")]
    content_text: Annotated[MultiLineText, Field(min_length=1, max_length=20000)]
    rights: Annotated[list[Right], Field(min_length=1, max_length=7)]
    reason: Annotated[MultiLineText, Field(min_length=10, max_length=10000)]
    lang: Literal["ja", "en"] = "ja"
    reference: Annotated[SingleLineText, Field(max_length=100, description="The body's own case number.")] = (
        ""
    )
    show_name_to_poster: bool = False
    evidence: Annotated[list[EvidenceIn], Field(max_length=100)] = []

    @field_validator("rights")
    @classmethod
    def _unique(cls, v: list[Right]) -> list[Right]:
        return list(dict.fromkeys(v))


class RequestStatusOut(BaseModel):
    id: str
    reference: str
    receipt_number: str
    content_url: str
    stage: str
    received_at: str
    decision_due_at: str
    decided_at: str | None
    outcome: str | None = Field(
        description="remove, restrict_visibility, suspend_account, no_action, or null"
    )
    duplicates: int
    duplicate: bool = False


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else None


def out(status: service.RequestStatus, duplicate: bool = False) -> RequestStatusOut:
    return RequestStatusOut(
        id=status.id,
        reference=status.reference,
        receipt_number=status.receipt_number,
        content_url=status.content_url,
        stage=status.stage,
        received_at=to_jst(status.received_at).isoformat(),
        decision_due_at=to_jst(status.decision_due_at).isoformat(),
        decided_at=to_jst(status.decided_at).isoformat() if status.decided_at else None,
        outcome=status.outcome,
        duplicates=status.duplicates,
        duplicate=duplicate,
    )


@router.post("/requests", status_code=201, response_model=RequestStatusOut)
def submit_request(
    body: TrustedRequestIn,
    request: Request,
    principal: Submitter,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> RequestStatusOut:
    """A trusted body's request becomes a removal case (source "trusted"), or counts on its open twin."""
    now = clock.now()
    caller = service.caller_for(principal, bearer(request), db=db, at=now)
    # per source: each body has its own allowance, whatever address it sends from
    limiter_for(request, "channels-body", settings.channels_rate_limit_per_minute).check(
        f"body:{caller.body.id}"
    )
    row, duplicate = service.submit(
        service.TrustedRequest(
            service=body.service,
            content_url=body.content_url,
            content_text=body.content_text,
            rights=[r.value for r in body.rights],
            reason=body.reason,
            lang=body.lang,
            reference=body.reference,
            show_name_to_poster=body.show_name_to_poster,
            evidence=[EvidenceRef(**e.model_dump()) for e in body.evidence],
            idempotency_key=idempotency_key,
        ),
        caller=caller,
        db=db,
        settings=settings,
        at=now,
    )
    answer = out(service.describe(row, db), duplicate)
    db.commit()  # the 201 only once the case is durable
    return answer


@router.get("/requests", response_model=list[RequestStatusOut])
def list_requests(
    request: Request, principal: Submitter, db: DbSession, clock: AppClock
) -> list[RequestStatusOut]:
    """Every request the body sent, newest first, with its case's stage and outcome."""
    caller = service.caller_for(principal, bearer(request), db=db, at=clock.now())
    return [out(s) for s in service.statuses(caller=caller, db=db)]


@router.get("/requests/{request_id}", response_model=RequestStatusOut)
def read_request(
    request_id: str, request: Request, principal: Submitter, db: DbSession, clock: AppClock
) -> RequestStatusOut:
    """One request of the body (another body's answers 404)."""
    caller = service.caller_for(principal, bearer(request), db=db, at=clock.now())
    return out(service.status(request_id, caller=caller, db=db))


@router.get("/schema", dependencies=[PUBLIC])
def request_schema() -> dict[str, Any]:
    """The JSON Schema of a trusted request (what a hotline's desk sends)."""
    schema = TrustedRequestIn.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
