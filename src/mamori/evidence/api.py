"""JSON routes: capture, upload, list, hand over, delete, export, report and ledger check."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, Field

from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.evidence import report, service
from mamori.evidence.model import EvidenceItem
from mamori.evidence.settings import evidence_settings
from mamori.web.deps import AppClock, AppSettings, DbSession, require

router = APIRouter(tags=["evidence"])
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {}

Reader = Annotated[Principal, Depends(require("evidence.read"))]
Capturer = Annotated[Principal, Depends(require("evidence.capture"))]


def _route(method: str, path: str, permission: str | None) -> str:
    ROUTE_PERMISSIONS[(method, path)] = permission
    return path


class CaptureRequest(BaseModel):
    owner_type: str = Field(description="case or consultation")
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


@router.get(_route("GET", "/api/v1/evidence/items", "evidence.read"))
def list_items(
    principal: Reader, db: DbSession, owner_type: Annotated[str, Query()], owner_id: Annotated[str, Query()]
) -> dict[str, Any]:
    """A case's or consultation's evidence, oldest first."""
    return {"items": [public(i) for i in service.items_for(owner_type, owner_id, db=db)]}


@router.post(_route("POST", "/api/v1/evidence/captures", "evidence.capture"), status_code=201)
def capture(
    body: CaptureRequest, principal: Capturer, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    """The server captures the page (headless Chromium, WACZ, screenshots, signed metadata)."""
    item = service.capture(
        body.owner_type,
        body.owner_id,
        body.url,
        actor=principal.actor.ident,
        reason=body.reason,
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    return public(item)


@router.post(_route("POST", "/api/v1/evidence/uploads", "evidence.capture"), status_code=201)
async def upload(
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: Annotated[str, Form()],
    owner_id: Annotated[str, Form()],
    file: Annotated[UploadFile, File()],
    reason: Annotated[str, Form()] = "",
    redacts: Annotated[str | None, Form()] = None,
) -> dict[str, Any]:
    """A screenshot, image, video or audio the person saved; hashed on arrival, typed by content."""
    limits = evidence_settings(settings)
    content = await file.read(limits.max_upload_bytes + 1)
    item = service.upload(
        owner_type,
        owner_id,
        file.filename or "upload",
        content,
        actor=principal.actor.ident,
        reason=reason,
        db=db,
        settings=limits,
        clock=clock,
        redacts=redacts or None,
    )
    return public(item)


@router.post(_route("POST", "/api/v1/evidence/items/{item_id}/handover", "evidence.capture"))
def hand_over(
    item_id: str, body: HandOver, principal: Capturer, db: DbSession, clock: AppClock
) -> dict[str, Any]:
    entry = service.hand_over(
        item_id, body.recipient, actor=principal.actor.ident, reason=body.reason, db=db, clock=clock
    )
    return {"seq": entry.seq, "entry_hash": entry.entry_hash}


@router.post(_route("POST", "/api/v1/evidence/items/{item_id}/delete", "evidence.capture"))
def delete(
    item_id: str, body: Deletion, principal: Capturer, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, str]:
    service.delete(
        item_id,
        actor=principal.actor.ident,
        reason=body.reason,
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    return {"status": "deleted"}


@router.get(_route("GET", "/api/v1/evidence/items/{item_id}/download", "evidence.read"))
def download(
    item_id: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    reason: Annotated[str, Query(max_length=1000)] = "",
) -> FileResponse:
    """The original file (upload) or the WACZ (capture); every download enters the ledger."""
    path = service.export(
        item_id,
        actor=principal.actor.ident,
        reason=reason,
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    item = service.get_item(item_id, db=db)
    target = path / item.file_name if path.is_dir() else path
    return FileResponse(target, media_type=item.media_type, filename=item.file_name)


@router.get(_route("GET", "/api/v1/evidence/report", "evidence.read"), response_model=None)
def evidence_report(
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: Annotated[str, Query()],
    owner_id: Annotated[str, Query()],
    format: Annotated[str, Query(pattern="^(pdf|html)$")] = "pdf",
) -> Response:
    """The evidence report (PDF or HTML) for a lawyer, the police or the 法務局."""
    built = service.report_for(owner_type, owner_id, db=db, settings=evidence_settings(settings), clock=clock)
    if format == "html":
        return HTMLResponse(report.render_html(built))
    return Response(
        report.render_pdf(built),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="evidence-{owner_type}-{owner_id}.pdf"'},
    )


@router.get(_route("GET", "/api/v1/evidence/ledger/verify", "evidence.read"))
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
