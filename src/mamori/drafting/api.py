"""JSON routes for drafting: produce a checked draft (public, nothing stored), send and follow (staff).

Producing a draft is open to anyone, as the paper forms are: mamori keeps nothing of it (`PUBLIC`).
Sending makes the server contact an address the user typed, so it is for signed-in staff only, and
every address goes through the SSRF guard. Which sending a person may see or follow is decided by
`service.authorize_submission`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.core.auth import Principal
from mamori.drafting import service
from mamori.drafting.reading import read_deletion
from mamori.drafting.service import DraftKind, OutputFormat, Submission
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, require

router = APIRouter(prefix="/api/v1/drafting", tags=["drafting"])
DraftBody = Annotated[dict[str, Any], Body(description="The draft as JSON (`mamori drafting example`).")]
FormatQuery = Annotated[OutputFormat | None, Query(description="pdf or text; leave out to only check.")]


def _answer(kind: DraftKind, data: dict[str, Any], fmt: OutputFormat | None, at: dt.datetime) -> Any:
    draft = service.read_draft(kind, data)
    if fmt is None:
        return {"ok": True, "kind": kind.value}
    output = service.produce(draft, fmt, at=at)
    return Response(
        output.content,
        media_type=output.media_type,
        headers={"Content-Disposition": f'attachment; filename="{output.file_name}"'},
    )


@router.post("/deletion-requests", dependencies=[PUBLIC])
def draft_deletion_request(data: DraftBody, clock: AppClock, format: FormatQuery = None) -> Any:
    """Check a deletion request (侵害情報の通知書); with ?format=pdf|text, also produce it."""
    return _answer(DraftKind.DELETION, data, format, clock.now())


@router.post("/disclosure-requests", dependencies=[PUBLIC])
def draft_disclosure_request(data: DraftBody, clock: AppClock, format: FormatQuery = None) -> Any:
    """Check a disclosure request (発信者情報開示請求書); with ?format=pdf|text, also produce it."""
    return _answer(DraftKind.DISCLOSURE, data, format, clock.now())


class SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_url: Annotated[str, Field(max_length=2000, description="The service's mamori address (https://…).")]
    service: Annotated[
        str, Field(min_length=1, max_length=100, description="The service's id at that window.")
    ]
    draft: dict[str, Any]
    owner_type: Annotated[
        str | None, Field(max_length=40, description="case or consultation this sending belongs to.")
    ] = None
    owner_id: Annotated[str | None, Field(max_length=64)] = None


class SubmissionOut(BaseModel):
    id: str
    service: str
    receipt_number: str
    received_at: dt.datetime
    follow_url: str
    submitted_at: dt.datetime
    status: str | None
    status_checked_at: dt.datetime | None


def _out(sent: Submission) -> SubmissionOut:
    return SubmissionOut(
        id=sent.id,
        service=sent.service,
        receipt_number=sent.receipt_number,
        received_at=sent.received_at,
        follow_url=sent.follow_url,
        submitted_at=sent.submitted_at,
        status=sent.status,
        status_checked_at=sent.status_checked_at,
    )


@router.post("/submissions", status_code=201, response_model=SubmissionOut)
def send_deletion_request(
    body: SubmissionIn,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("evidence.capture"))],
) -> SubmissionOut:
    """Send a deletion request to a window that runs mamori; answers with its receipt."""
    draft = read_deletion(body.draft)
    owner = (body.owner_type or "", body.owner_id or "") if body.owner_type or body.owner_id else None
    sent = service.send_deletion(
        draft,
        base_url=body.base_url,
        service=body.service,
        db=db,
        settings=settings,
        at=clock.now(),
        by=principal,
        owner=owner,
    )
    return _out(sent)


@router.get("/submissions/{submission_id}", response_model=SubmissionOut)
def get_submission(
    submission_id: str,
    db: DbSession,
    settings: AppSettings,
    principal: Annotated[Principal, Depends(require("evidence.read"))],
) -> SubmissionOut:
    """A recorded sending and the status last heard (for its sender, and those who share its case)."""
    return _out(service.get_submission(submission_id, by=principal, db=db, settings=settings))


@router.post("/submissions/{submission_id}/refresh", response_model=SubmissionOut)
def refresh_submission(
    submission_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("evidence.capture"))],
) -> SubmissionOut:
    """Ask the window for the status now (its follow URL)."""
    return _out(service.refresh_status(submission_id, by=principal, db=db, settings=settings, at=clock.now()))
