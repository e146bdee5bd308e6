"""JSON routes: capture, upload, list, hand over, delete, export, report and ledger check.

Each route declares the permission it needs; which case's or consultation's evidence a person may
see or change is decided by `service.authorize`, called by every service function used here.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field

from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.evidence import captures, kit_captures, report, service
from mamori.evidence.download import attachment
from mamori.evidence.model import EvidenceItem
from mamori.evidence.settings import evidence_settings
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit, require

router = APIRouter(tags=["evidence"])

Reader = Annotated[Principal, Depends(require("evidence.read"))]
Capturer = Annotated[Principal, Depends(require("evidence.capture"))]
OwnerTypeQuery = Annotated[str, Query(max_length=40, description="case or consultation")]
OwnerIdQuery = Annotated[str, Query(max_length=64, description="the id of the case or consultation")]


class CaptureRequest(BaseModel):
    owner_type: str = Field(max_length=40, description="case or consultation")
    owner_id: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=8, max_length=4000, description="http(s) address of the page")
    reason: str = Field("", max_length=1000)


class HandOver(BaseModel):
    recipient: str = Field(min_length=1, max_length=200, description="e.g. a lawyer, the police, the 法務局")
    reason: str = Field("", max_length=1000)


class Deletion(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


def public(item: EvidenceItem) -> dict[str, Any]:
    profile = item.profile
    return {
        "id": item.id,
        "kind": str(item.kind),
        "owner_type": str(item.owner_type),
        "owner_id": item.owner_id,
        "sha256": item.sha256,
        "captured_at": item.captured_at.isoformat(),
        "url": item.url,
        "final_url": item.final_url,
        "http_status": item.http_status,
        "file_name": item.file_name,
        "media_type": item.media_type,
        "size": item.size,
        "parent_id": item.parent_id,
        "profile": None
        if profile is None
        else {
            "posted_at": profile.posted_at,
            "poster_name": profile.poster_name,
            "poster_id": profile.poster_id,
            "permalink": profile.permalink,
            "permalink_captured": profile.permalink_captured,
            "still_needed": profile.still_needed,
        },
    }


@router.get("/api/v1/evidence/items")
def list_items(
    principal: Reader, db: DbSession, owner_type: OwnerTypeQuery, owner_id: OwnerIdQuery
) -> dict[str, Any]:
    """A case's or consultation's evidence, oldest first."""
    return {"items": [public(i) for i in service.items_for(owner_type, owner_id, by=principal, db=db)]}


def _error(status: captures.CaptureStatus | kit_captures.KitCaptureStatus) -> dict[str, Any] | None:
    """Why a capture failed, in both languages (None while it has not)."""
    if status.error_code is None:
        return None
    return {"code": status.error_code, "message": {"ja": status.error_ja, "en": status.error_en}}


def capture_json(status: captures.CaptureStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "status": status.status,
        "owner_type": status.owner_type,
        "owner_id": status.owner_id,
        "url": status.url,
        "requested_at": status.requested_at.isoformat(),
        "finished_at": status.finished_at.isoformat() if status.finished_at else None,
        "attempts": status.attempts,
        "status_url": f"/api/v1/evidence/captures/{status.id}",
        "item": public(status.item) if status.item else None,
        "error": _error(status),
    }


@router.post(
    "/api/v1/evidence/captures",
    status_code=202,
    dependencies=[rate_limit("capture", "capture_rate_limit_per_minute")],
)
def capture(
    body: CaptureRequest,
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    response: Response,
) -> dict[str, Any]:
    """Queue a capture of the page by the server (headless Chromium, WACZ, screenshots, signed metadata).
    Answers at once (202) with the capture's status; `status_url` shows the item when a worker is done."""
    status = captures.request_capture(
        body.owner_type,
        body.owner_id,
        body.url,
        by=principal,
        reason=body.reason,
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    db.commit()  # the 202 means the capture is queued for good
    response.headers["Location"] = f"/api/v1/evidence/captures/{status.id}"
    return capture_json(status)


@router.get("/api/v1/evidence/captures/{capture_id}")
def capture_state(capture_id: str, principal: Reader, db: DbSession) -> dict[str, Any]:
    """A capture's status: queued, running, done (with its item) or failed (with the reason)."""
    return capture_json(captures.capture_status(capture_id, by=principal, db=db))


class KitCaptureAsk(BaseModel):
    url: str = Field(min_length=8, max_length=4000, description="http(s) address of a public page")


def kit_capture_json(token: str, status: kit_captures.KitCaptureStatus) -> dict[str, Any]:
    done = status.status == captures.DONE
    return {
        "status": status.status,
        "url": status.url,
        "requested_at": status.requested_at.isoformat(),
        "finished_at": status.finished_at.isoformat() if status.finished_at else None,
        "expires_at": status.expires_at.isoformat(),
        "attempts": status.attempts,
        "status_url": f"/api/v1/evidence/kit/captures/{token}",
        "page_url": f"/evidence/kit/captures/{token}",
        "download_url": f"/evidence/kit/captures/{token}/download" if done else None,
        "file": {"name": status.file_name, "size": status.size, "sha256": status.sha256} if done else None,
        "error": _error(status),
    }


@router.post(
    "/api/v1/evidence/kit/captures",
    status_code=202,
    dependencies=[
        PUBLIC,
        rate_limit("evidence_kit", "evidence_kit_rate_limit_per_minute"),
        rate_limit("capture", "capture_rate_limit_per_minute"),
    ],
)
def kit_capture(
    body: KitCaptureAsk, db: DbSession, clock: AppClock, settings: AppSettings, response: Response
) -> dict[str, Any]:
    """Without an account, where the operator enables it (MAMORI_EVIDENCE_PUBLIC_CAPTURE): queue a
    capture of a public page. Answers at once (202); `status_url` carries the only key to the capture
    (keep it), and `download_url` appears once a worker is done. 404 when not offered, 503 when full."""
    token, status = kit_captures.request(body.url, db=db, settings=settings, clock=clock)
    db.commit()
    response.headers["Location"] = f"/api/v1/evidence/kit/captures/{token}"
    response.headers["Cache-Control"] = "no-store"
    return kit_capture_json(token, status)


@router.get("/api/v1/evidence/kit/captures/{token}", dependencies=[PUBLIC])
def kit_capture_state(
    token: Annotated[str, Path(max_length=64)], db: DbSession, clock: AppClock, response: Response
) -> dict[str, Any]:
    """A capture asked for without an account: queued, running, done (with its file) or failed (with
    the reason); 404 once it expired or was deleted."""
    response.headers["Cache-Control"] = "no-store"
    return kit_capture_json(token, kit_captures.status(token, db=db, clock=clock))


@router.post("/api/v1/evidence/uploads", status_code=201)
async def upload(
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: Annotated[str, Form(max_length=40)],
    owner_id: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
    reason: Annotated[str, Form(max_length=1000)] = "",
    redacts: Annotated[str | None, Form(max_length=64)] = None,
) -> dict[str, Any]:
    """A screenshot, image, video or audio the person saved; hashed on arrival, typed by content."""
    limits = evidence_settings(settings)
    content = await file.read(limits.max_upload_bytes + 1)
    item = service.upload(
        owner_type,
        owner_id,
        file.filename or "upload",
        content,
        by=principal,
        reason=reason,
        db=db,
        settings=limits,
        clock=clock,
        redacts=redacts or None,
    )
    return public(item)


@router.post("/api/v1/evidence/items/{item_id}/handover")
def hand_over(
    item_id: str, body: HandOver, principal: Capturer, db: DbSession, clock: AppClock
) -> dict[str, Any]:
    entry = service.hand_over(item_id, body.recipient, by=principal, reason=body.reason, db=db, clock=clock)
    return {"seq": entry.seq, "entry_hash": entry.entry_hash}


@router.post("/api/v1/evidence/items/{item_id}/delete")
def delete(
    item_id: str, body: Deletion, principal: Capturer, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, str]:
    service.delete(
        item_id,
        by=principal,
        reason=body.reason,
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    return {"status": "deleted"}


@router.get("/api/v1/evidence/items/{item_id}/download")
def download(
    item_id: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    reason: Annotated[str, Query(max_length=1000)] = "",
) -> StreamingResponse:
    """The original file (upload) or the WACZ (capture); every download enters the ledger."""
    copy = service.export(
        item_id, by=principal, reason=reason, db=db, settings=evidence_settings(settings), clock=clock
    )
    return StreamingResponse(copy.chunks, media_type=copy.media_type, headers=attachment(copy.name))


@router.get("/api/v1/evidence/report", response_model=None)
def evidence_report(
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: OwnerTypeQuery,
    owner_id: OwnerIdQuery,
    format: Annotated[str, Query(pattern="^(pdf|html)$")] = "pdf",
) -> Response:
    """The evidence report (PDF or HTML) for a lawyer, the police or the 法務局."""
    built = service.report_for(
        owner_type, owner_id, by=principal, db=db, settings=evidence_settings(settings), clock=clock
    )
    if format == "html":
        return HTMLResponse(report.render_html(built))
    return Response(
        report.render_pdf(built),
        media_type="application/pdf",
        headers=attachment(f"evidence-{built.owner_type}-{built.owner_id}.pdf"),
    )


@router.get("/api/v1/evidence/ledger/verify")
def verify_ledger(principal: Reader, db: DbSession) -> dict[str, Any]:
    """Check the whole ledger's hash chain now."""
    problems = service.ledger_problems(db=db)
    if len(problems) > 1000:
        raise DomainError(
            code="evidence_ledger_broken",
            status=500,
            ja="台帳が大きく壊れています。",
            en="Ledger broken.",
        )
    return {"intact": not problems, "problems": [str(p) for p in problems]}
