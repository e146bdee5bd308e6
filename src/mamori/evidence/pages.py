"""Staff pages for evidence: list per case or consultation, capture, upload, item, hand-over, deletion, ledger.

Thin: parse the form, call `service`, render. No JavaScript: every action is a form that posts and
redirects (303) to the page showing its result. Every file handed out enters the ledger (export);
a thumbnail shown on screen does not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from mamori.core.auth import Principal
from mamori.core.errors import DomainError, NotFound
from mamori.evidence import package, report, service
from mamori.evidence.model import PROFILE_FIELD_LABELS, EvidenceItem, ItemKind
from mamori.evidence.settings import EvidenceSettings, evidence_settings
from mamori.web.deps import AppClock, AppSettings, DbSession, require, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["evidence pages"])
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {}
ITEM = "/evidence/items/{item_id}"
# The files of a capture package a person may take a copy of (each copy enters the ledger).
PACKAGE_FILES = (
    package.WACZ,
    "screenshot-banded.png",
    "screenshot.png",
    "page.html",
    package.METADATA,
    package.SIGNATURE,
    package.TIMESTAMP,
)
MEDIA = {
    ".png": "image/png",
    ".html": "text/html",
    ".json": "application/json",
    ".tsr": "application/timestamp-reply",
}


def _route(method: str, path: str, permission: str) -> str:
    ROUTE_PERMISSIONS[(method, path)] = permission
    return path


PageReader = Annotated[Principal | None, Depends(staff_page("evidence.read"))]
Reader = Annotated[Principal, Depends(require("evidence.read"))]
Capturer = Annotated[Principal, Depends(require("evidence.capture"))]


def _message(request: Request, exc: DomainError) -> str:
    return exc.en if page_lang(request) == "en" else exc.ja


def _sign_in(request: Request) -> HTMLResponse:
    target = request.url.path + ("?" + request.url.query if request.url.query else "")
    return render(request, "evidence/sign_in.html", {"next": target}, status_code=401)


def _list_url(request: Request, owner_type: str, owner_id: str, **extra: str) -> str:
    query = {"owner_type": owner_type, "owner_id": owner_id, "lang": page_lang(request), **extra}
    return "/evidence?" + urlencode(query)


def _item_url(request: Request, item_id: str, **extra: str) -> str:
    return f"/evidence/items/{item_id}?" + urlencode({"lang": page_lang(request), **extra})


def still_needed(item: EvidenceItem, lang: str) -> list[str]:
    """The profile fields the page did not show, in the page's language."""
    if item.profile is None:
        return []
    pick = 1 if lang == "en" else 0
    return [PROFILE_FIELD_LABELS[name][pick] for name in item.profile.still_needed]


def _list_page(
    request: Request,
    owner_type: str,
    owner_id: str,
    *,
    db: DbSession,
    error: str | None = None,
    status: int = 200,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    items: list[EvidenceItem] = []
    owner_error = None
    if owner_type or owner_id:
        try:
            items = service.items_for(owner_type, owner_id, db=db)
        except DomainError as exc:
            owner_error = _message(request, exc)
            status = 422
    lang = page_lang(request)
    return render(
        request,
        "evidence/list.html",
        {
            "owner_type": owner_type,
            "owner_id": owner_id,
            "has_owner": bool(owner_type and owner_id and owner_error is None),
            "owner_error": owner_error,
            "items": [(item, still_needed(item, lang)) for item in items],
            "error": error,
            "values": values or {},
            "drafting_param": {"case": "case", "consultation": "consultation"}.get(owner_type),
        },
        status_code=status,
    )


@router.get(_route("GET", "/evidence", "evidence.read"), response_class=HTMLResponse)
def evidence_list(
    request: Request, principal: PageReader, db: DbSession, owner_type: str = "", owner_id: str = ""
) -> HTMLResponse:
    """A case's or consultation's evidence, with the capture and upload forms."""
    if principal is None:
        return _sign_in(request)
    return _list_page(request, owner_type, owner_id, db=db)


@router.post(_route("POST", "/evidence/captures", "evidence.capture"), response_model=None)
def capture(
    request: Request,
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: Annotated[str, Form(max_length=40)],
    owner_id: Annotated[str, Form(max_length=64)],
    url: Annotated[str, Form(max_length=4000)],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The server captures the page; the person then sees the item with its hashes and profile."""
    try:
        item = service.capture(
            owner_type,
            owner_id,
            url.strip(),
            actor=principal.actor.ident,
            reason=reason,
            db=db,
            settings=evidence_settings(settings),
            clock=clock,
        )
    except DomainError as exc:
        db.rollback()
        values = {"url": url, "reason": reason}
        return _list_page(
            request, owner_type, owner_id, db=db, error=_message(request, exc), status=422, values=values
        )
    db.commit()  # durable before the browser follows the redirect (get_db commits after the response)
    return RedirectResponse(_item_url(request, item.id), status_code=303)


@router.post(_route("POST", "/evidence/uploads", "evidence.capture"), response_model=None)
async def upload(
    request: Request,
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    owner_type: Annotated[str, Form(max_length=40)],
    owner_id: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile, File()],
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """A file the person saved themselves: hashed on arrival, typed by its content."""
    limits = evidence_settings(settings)
    content = await file.read(limits.max_upload_bytes + 1)
    try:
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
        )
    except DomainError as exc:
        db.rollback()
        return _list_page(request, owner_type, owner_id, db=db, error=_message(request, exc), status=422)
    db.commit()
    return RedirectResponse(_item_url(request, item.id), status_code=303)


def _stored_path(item_id: str, db: DbSession, settings: EvidenceSettings) -> Path | None:
    """Where the item's files lie, or None once it was deleted."""
    try:
        return service.item_path(item_id, db=db, settings=settings)
    except DomainError as exc:
        if exc.code == "evidence_deleted":
            return None
        raise


def _metadata(path: Path | None) -> dict[str, Any]:
    if path is None or not (path / package.METADATA).is_file():
        return {}
    data: dict[str, Any] = json.loads((path / package.METADATA).read_text(encoding="utf-8"))
    return data


def _item_page(
    request: Request,
    item_id: str,
    principal: Principal,
    *,
    db: DbSession,
    settings: AppSettings,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    item = service.get_item(item_id, db=db)
    path = _stored_path(item_id, db, evidence_settings(settings))
    meta = _metadata(path) if item.kind == ItemKind.capture else {}
    names = PACKAGE_FILES if item.kind == ItemKind.capture else (item.file_name,)
    listed = meta.get("files", {})
    files = [
        (name, listed.get(name)) for name in names if path is not None and _file_of(path, name).is_file()
    ]
    picture = item.kind == ItemKind.capture or item.media_type.startswith("image/")
    return render(
        request,
        "evidence/item.html",
        {
            "item": item,
            "deleted": path is None,
            "meta": meta,
            "files": files,
            "still_needed": still_needed(item, page_lang(request)),
            "has_picture": path is not None and picture,
            "may_change": principal.may("evidence.capture"),
            "error": error,
            "done": request.query_params.get("done", ""),
            "drafting_param": item.owner_type.value,
        },
        status_code=status,
    )


def _file_of(path: Path, name: str) -> Path:
    return path / name if path.is_dir() else path


@router.get(_route("GET", ITEM, "evidence.read"), response_class=HTMLResponse)
def item_page(
    request: Request, item_id: str, principal: PageReader, db: DbSession, settings: AppSettings
) -> HTMLResponse:
    """One item: its hashes, the evidence profile with what is still needed, downloads and actions."""
    if principal is None:
        return _sign_in(request)
    return _item_page(request, item_id, principal, db=db, settings=settings)


@router.get(_route("GET", ITEM + "/thumbnail.png", "evidence.read"))
def thumbnail(item_id: str, principal: Reader, db: DbSession, settings: AppSettings) -> Response:
    """The top of the banded screenshot (URL and capture time in the band), or of an uploaded image."""
    item = service.get_item(item_id, db=db)
    path = service.item_path(item_id, db=db, settings=evidence_settings(settings))
    picture = path / "screenshot-banded.png" if item.kind == ItemKind.capture else path
    png = report.thumbnail(picture, width=640)
    if png is None:
        raise NotFound("thumbnail", item_id)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get(_route("GET", ITEM + "/files/{name}", "evidence.read"))
def download(
    item_id: str,
    name: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> FileResponse:
    """A copy of one file of the item; the ledger records who took which file."""
    item = service.get_item(item_id, db=db)
    allowed = PACKAGE_FILES if item.kind == ItemKind.capture else (item.file_name,)
    if name not in allowed:
        raise NotFound("evidence file", name)
    path = service.export(
        item_id,
        actor=principal.actor.ident,
        reason=f"download {name}",
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    target = _file_of(path, name)
    if not target.is_file():
        raise NotFound("evidence file", name)
    media = (
        item.media_type if name == item.file_name else MEDIA.get(target.suffix, "application/octet-stream")
    )
    db.commit()  # the export entry is durable before the file leaves
    return FileResponse(target, media_type=media, filename=name)


@router.post(_route("POST", ITEM + "/handover", "evidence.capture"), response_model=None)
def hand_over(
    request: Request,
    item_id: str,
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    recipient: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Record that the item was handed to a lawyer, the police or the 法務局."""
    try:
        service.hand_over(item_id, recipient, actor=principal.actor.ident, reason=reason, db=db, clock=clock)
    except DomainError as exc:
        db.rollback()
        return _item_page(
            request, item_id, principal, db=db, settings=settings, error=_message(request, exc), status=422
        )
    db.commit()
    return RedirectResponse(_item_url(request, item_id, done="handover"), status_code=303)


@router.post(_route("POST", ITEM + "/delete", "evidence.capture"), response_model=None)
def delete(
    request: Request,
    item_id: str,
    principal: Capturer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Delete the item's files with a reason; the item and its ledger entries stay."""
    item = service.get_item(item_id, db=db)
    try:
        service.delete(
            item_id,
            actor=principal.actor.ident,
            reason=reason,
            db=db,
            settings=evidence_settings(settings),
            clock=clock,
        )
    except DomainError as exc:
        db.rollback()
        return _item_page(
            request, item_id, principal, db=db, settings=settings, error=_message(request, exc), status=422
        )
    db.commit()
    return RedirectResponse(
        _list_url(request, item.owner_type, item.owner_id, done="deleted"), status_code=303
    )


@router.get(_route("GET", "/evidence/ledger", "evidence.read"), response_class=HTMLResponse)
def ledger_page(request: Request, principal: PageReader, db: DbSession, clock: AppClock) -> HTMLResponse:
    """Verify the whole ledger's hash chain now and say what does not match."""
    if principal is None:
        return _sign_in(request)
    problems = service.ledger_problems(db=db)
    return render(
        request,
        "evidence/ledger.html",
        {
            "intact": not problems,
            "problems": [str(p) for p in problems[:200]],
            "count": len(problems),
            "checked_at": clock.now(),
        },
    )
