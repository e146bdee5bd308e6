"""The public removal-request form's POST, with the screenshots a person attaches (issue 11).

Routed here, not in mamori.requests, because the attachments are kept as the new case's evidence
(sealed, hashed, in the ledger) and only this layer sees both capabilities. The form itself, its checks
and its receipt stay in mamori.requests.pages; the request and its files are written in one
transaction: a refused file leaves no case, and a refused case keeps no file.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from mamori.core.errors import DomainError
from mamori.evidence import service, uploads
from mamori.evidence.settings import evidence_settings
from mamori.requests.model import Receipt
from mamori.requests.pages import MAX_ATTACHMENTS, handle_submission
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession

router = APIRouter(tags=["public pages"], dependencies=[PUBLIC])


@router.post("/request", response_class=HTMLResponse)
async def submit_request(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    service_slug: Annotated[str, Form(alias="service", max_length=200)] = "",
    content_url: Annotated[str, Form(max_length=4000)] = "",
    content_text: Annotated[str, Form(max_length=40000)] = "",
    rights: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form(max_length=20000)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    address: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=400)] = "",
    phone: Annotated[str, Form(max_length=100)] = "",
    relation: Annotated[str, Form(max_length=40)] = "self",
    on_behalf_of: Annotated[str, Form(max_length=400)] = "",
    show_name: Annotated[str, Form(max_length=10)] = "",
    declaration: Annotated[str, Form(max_length=10)] = "",
    idempotency_key: Annotated[str, Form(max_length=100)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    """The removal request (Art. 22) with its attachments; the receipt at once."""
    chosen = [f for f in files or [] if f.filename]
    limit = settings.evidence_kit_max_bytes
    attachments = [(f.filename or "file", await f.read(limit + 1)) for f in chosen[: MAX_ATTACHMENTS + 1]]
    values = {
        "service": service_slug,
        "content_url": content_url,
        "content_text": content_text,
        "rights": rights or [],
        "reason": reason,
        "name": name,
        "address": address,
        "email": email,
        "phone": phone,
        "relation": relation,
        "on_behalf_of": on_behalf_of,
        "show_name": show_name,
        "declaration": declaration,
        "idempotency_key": idempotency_key,
    }

    def check_files(lang: str) -> dict[str, str]:
        try:
            uploads.check_files(attachments, max_files=MAX_ATTACHMENTS, max_bytes=limit)
        except DomainError as exc:
            return {"files": exc.en if lang == "en" else exc.ja}
        return {}

    def keep_files(receipt: Receipt) -> None:
        if attachments and not service.requester_attached(receipt.case_id, db=db):  # not on a replay
            service.attach_from_requester(
                receipt.case_id,
                attachments,
                receipt_number=receipt.receipt_number,
                db=db,
                settings=evidence_settings(settings),
                clock=clock,
            )

    return handle_submission(
        request, db, settings, clock, values, check_extra=check_files, after_filing=keep_files
    )
