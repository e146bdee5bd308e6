"""Staff pages for evidence: list per case or consultation, capture, upload, item, hand-over, deletion, ledger.

Thin: parse the form, call `service`, render. No JavaScript: every action is a form that posts and
redirects (303) to the page showing its result. Every file handed out enters the ledger (export);
a thumbnail shown on screen does not. Who may see or change which evidence is the service's
decision (`service.authorize`); a page only hides the forms a person could not use.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from mamori.core.auth import Principal
from mamori.core.clock import JST
from mamori.core.errors import DomainError, NotFound
from mamori.evidence import captures, kit, kit_captures, service
from mamori.evidence.download import attachment
from mamori.evidence.model import PROFILE_FIELD_LABELS, Access, EvidenceItem, ItemKind
from mamori.evidence.settings import evidence_settings
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit, require, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["evidence pages"])
ITEM = "/evidence/items/{item_id}"
REFRESH_SECONDS = 3  # how often a waiting capture's page reloads itself


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
    principal: Principal,
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
            items = service.items_for(owner_type, owner_id, by=principal, db=db)
        except DomainError as exc:
            owner_error = _message(request, exc)
            status = exc.status
    has_owner = bool(owner_type and owner_id and owner_error is None)
    lang = page_lang(request)
    return render(
        request,
        "evidence/list.html",
        {
            "owner_type": owner_type,
            "owner_id": owner_id,
            "has_owner": has_owner,
            "owner_error": owner_error,
            "items": [(item, still_needed(item, lang)) for item in items],
            "error": error,
            "values": values or {},
            "may_change": has_owner and service.may(principal, owner_type, owner_id, Access.change, db=db),
            "drafting_param": {"case": "case", "consultation": "consultation"}.get(owner_type),
        },
        status_code=status,
    )


@router.get("/evidence", response_class=HTMLResponse)
def evidence_list(
    request: Request,
    principal: PageReader,
    db: DbSession,
    owner_type: Annotated[str, Query(max_length=40)] = "",
    owner_id: Annotated[str, Query(max_length=64)] = "",
) -> HTMLResponse:
    """A case's or consultation's evidence, with the capture and upload forms."""
    if principal is None:
        return _sign_in(request)
    return _list_page(request, principal, owner_type, owner_id, db=db)


@router.post(
    "/evidence/captures",
    response_model=None,
    dependencies=[rate_limit("capture", "capture_rate_limit_per_minute")],
)
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
    """Queue a capture by the server; the person is taken to the capture's page, which follows it."""
    try:
        status = captures.request_capture(
            owner_type,
            owner_id,
            url.strip(),
            by=principal,
            reason=reason,
            db=db,
            settings=evidence_settings(settings),
            clock=clock,
        )
    except DomainError as exc:
        db.rollback()
        values = {"url": url, "reason": reason}
        return _list_page(
            request,
            principal,
            owner_type,
            owner_id,
            db=db,
            error=_message(request, exc),
            status=exc.status,
            values=values,
        )
    db.commit()  # durable before the browser follows the redirect (get_db commits after the response)
    return RedirectResponse(_capture_url(request, status.id), status_code=303)


def _capture_url(request: Request, capture_id: str) -> str:
    return f"/evidence/captures/{capture_id}?" + urlencode({"lang": page_lang(request)})


@router.get("/evidence/captures/{capture_id}", response_model=None)
def capture_page(request: Request, capture_id: str, principal: PageReader, db: DbSession) -> Response:
    """A capture's progress. Without JavaScript: while it waits the page refreshes itself every few
    seconds; once done it leads to the item, and a failure says why and offers the form again."""
    if principal is None:
        return _sign_in(request)
    try:
        status = captures.capture_status(capture_id, by=principal, db=db)
    except DomainError as exc:
        return render(
            request,
            "evidence/capture.html",
            {"error": _message(request, exc), "refresh_seconds": None},
            status_code=exc.status,
        )
    if status.item is not None:
        return RedirectResponse(_item_url(request, status.item.id), status_code=303)
    error = None
    if status.error_code:
        error = status.error_en if page_lang(request) == "en" else status.error_ja
    return render(
        request,
        "evidence/capture.html",
        {
            "error": None,
            "capture": status,
            "capture_error": error,
            "refresh_seconds": REFRESH_SECONDS if status.pending else None,
            "list_url": _list_url(request, status.owner_type, status.owner_id),
        },
    )


@router.post("/evidence/uploads", response_model=None)
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
            by=principal,
            reason=reason,
            db=db,
            settings=limits,
            clock=clock,
        )
    except DomainError as exc:
        db.rollback()
        return _list_page(
            request, principal, owner_type, owner_id, db=db, error=_message(request, exc), status=exc.status
        )
    db.commit()
    return RedirectResponse(_item_url(request, item.id), status_code=303)


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
    item = service.get_item(item_id, by=principal, db=db)
    limits = evidence_settings(settings)
    names = service.stored_files(item_id, by=principal, db=db, settings=limits)
    meta = service.capture_metadata(item_id, by=principal, db=db, settings=limits)
    listed = meta.get("files", {})
    deleted = item.deleted_at is not None
    picture = item.kind == ItemKind.capture or item.media_type.startswith("image/")
    return render(
        request,
        "evidence/item.html",
        {
            "item": item,
            "deleted": deleted,
            "meta": meta,
            "files": [(name, listed.get(name)) for name in names],
            "still_needed": still_needed(item, page_lang(request)),
            "has_picture": not deleted and picture,
            "may_change": service.may(principal, item.owner_type, item.owner_id, Access.change, db=db),
            "error": error,
            "done": request.query_params.get("done", ""),
            "drafting_param": item.owner_type.value,
        },
        status_code=status,
    )


@router.get(ITEM, response_class=HTMLResponse)
def item_page(
    request: Request, item_id: str, principal: PageReader, db: DbSession, settings: AppSettings
) -> HTMLResponse:
    """One item: its hashes, the evidence profile with what is still needed, downloads and actions."""
    if principal is None:
        return _sign_in(request)
    return _item_page(request, item_id, principal, db=db, settings=settings)


@router.get(ITEM + "/thumbnail.png")
def thumbnail(item_id: str, principal: Reader, db: DbSession, settings: AppSettings) -> Response:
    """The top of the banded screenshot (URL and capture time in the band), or of an uploaded image."""
    png = service.thumbnail(item_id, by=principal, db=db, settings=evidence_settings(settings))
    if png is None:
        raise NotFound("thumbnail", item_id)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get(ITEM + "/files/{name}")
def download(
    item_id: str,
    name: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> StreamingResponse:
    """A copy of one file of the item; the ledger records who took which file."""
    copy = service.export(
        item_id,
        name=name,
        by=principal,
        reason=f"download {name}",
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    db.commit()  # the export entry is durable before the file leaves
    headers = attachment(copy.name) | {"Cache-Control": "private, no-store"}
    return StreamingResponse(copy.chunks, media_type=copy.media_type, headers=headers)


@router.post(ITEM + "/handover", response_model=None)
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
        service.hand_over(item_id, recipient, by=principal, reason=reason, db=db, clock=clock)
    except DomainError as exc:
        db.rollback()
        if exc.field is None:  # not the form's fault (not found, not allowed): the error page says so
            raise
        return _item_page(
            request,
            item_id,
            principal,
            db=db,
            settings=settings,
            error=_message(request, exc),
            status=exc.status,
        )
    db.commit()
    return RedirectResponse(_item_url(request, item_id, done="handover"), status_code=303)


@router.post(ITEM + "/delete", response_model=None)
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
    try:
        item = service.get_item(item_id, by=principal, db=db)
        service.delete(
            item_id,
            by=principal,
            reason=reason,
            db=db,
            settings=evidence_settings(settings),
            clock=clock,
        )
    except DomainError as exc:
        db.rollback()
        if exc.field is None:
            raise
        return _item_page(
            request,
            item_id,
            principal,
            db=db,
            settings=settings,
            error=_message(request, exc),
            status=exc.status,
        )
    db.commit()
    return RedirectResponse(
        _list_url(request, item.owner_type, item.owner_id, done="deleted"), status_code=303
    )


@router.get("/evidence/ledger", response_class=HTMLResponse)
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


# ---------------------------------------------------------------- the evidence kit (no account)

KIT_LIMIT = rate_limit("evidence_kit", "evidence_kit_rate_limit_per_minute")


def _kit_page(
    request: Request,
    settings: AppSettings,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "evidence/kit.html",
        {
            "errors": errors or {},
            "values": values or {},
            "max_files": kit.MAX_FILES,
            "max_mib": settings.evidence_kit_max_bytes // (1024 * 1024),
            "public_capture": settings.evidence_public_capture,
            "keep_hours": settings.evidence_kit_capture_keep_hours,
        },
        status_code=status,
    )


@router.get("/evidence/kit", response_class=HTMLResponse, dependencies=[PUBLIC])
def kit_page(request: Request, settings: AppSettings) -> HTMLResponse:
    """Seal your own screenshots without an account: nothing is kept on the server."""
    return _kit_page(request, settings)


def _seen_at(value: str) -> dt.datetime | None:
    """The form's datetime-local, read as Japan time."""
    if not value.strip():
        return None
    try:
        return dt.datetime.fromisoformat(value.strip()).replace(tzinfo=JST)
    except ValueError:
        raise DomainError(
            code="evidence_kit_invalid",
            field="seen_at",
            ja="見た日時は「2026-04-01 15:30」の形で入力してください。",
            en="Enter the time you saw it as 2026-04-01 15:30.",
        ) from None


@router.post("/evidence/kit", response_model=None, dependencies=[PUBLIC, KIT_LIMIT])
async def kit_seal(
    request: Request,
    settings: AppSettings,
    clock: AppClock,
    url: Annotated[str, Form(max_length=4000)] = "",
    seen_at: Annotated[str, Form(max_length=40)] = "",
    posted_at: Annotated[str, Form(max_length=400)] = "",
    poster_name: Annotated[str, Form(max_length=400)] = "",
    poster_id: Annotated[str, Form(max_length=400)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    files: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """Seal the person's files into one signed ZIP and hand it back at once (nothing stored)."""
    values = {
        "url": url,
        "seen_at": seen_at,
        "posted_at": posted_at,
        "poster_name": poster_name,
        "poster_id": poster_id,
        "note": note,
    }
    lang = page_lang(request)
    try:
        chosen = [f for f in files or [] if f.filename][: kit.MAX_FILES + 1]  # one more is refused
        contents = [
            kit.KitFile(f.filename or "file", await f.read(settings.evidence_kit_max_bytes + 1))
            for f in chosen
        ]
        name, data = kit.build_kit(
            kit.KitRequest(
                url=url,
                seen_at=_seen_at(seen_at),
                posted_at=posted_at,
                poster_name=poster_name,
                poster_id=poster_id,
                note=note,
                files=contents,
            ),
            settings=evidence_settings(settings),
            clock=clock,
            max_bytes=settings.evidence_kit_max_bytes,
        )
    except DomainError as exc:
        message = exc.en if lang == "en" else exc.ja
        return _kit_page(
            request, settings, errors={exc.field or "files": message}, values=values, status=exc.status
        )
    return Response(
        data, media_type="application/zip", headers={**attachment(name), "Cache-Control": "no-store"}
    )


@router.post(
    "/evidence/kit/capture",
    response_model=None,
    dependencies=[PUBLIC, KIT_LIMIT, rate_limit("capture", "capture_rate_limit_per_minute")],
)
def kit_capture(
    request: Request,
    settings: AppSettings,
    clock: AppClock,
    db: DbSession,
    url: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Where the operator enables it: the server captures a public address for the person. The page
    answers at once and leads to the capture's own page, which follows it until the ZIP is ready."""
    lang = page_lang(request)
    try:
        token, _status = kit_captures.request(url, db=db, settings=settings, clock=clock)
    except DomainError as exc:
        db.rollback()
        if exc.code == "evidence_public_capture_off":
            raise
        message = exc.en if lang == "en" else exc.ja
        return _kit_page(
            request, settings, errors={"capture_url": message}, values={"capture_url": url}, status=exc.status
        )
    db.commit()  # durable before the browser follows the redirect
    return RedirectResponse(_kit_capture_url(request, token), status_code=303)


def _kit_capture_url(request: Request, token: str, suffix: str = "") -> str:
    return f"/evidence/kit/captures/{token}{suffix}?" + urlencode({"lang": page_lang(request)})


PRIVATE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _private(response: Response) -> Response:
    """The capture's pages carry its token: never cached, never indexed (and never sent as a referrer)."""
    response.headers.update(PRIVATE)
    return response


@router.get("/evidence/kit/captures/{token}", response_model=None, dependencies=[PUBLIC])
def kit_capture_page(
    request: Request, token: Annotated[str, Path(max_length=64)], db: DbSession, clock: AppClock
) -> Response:
    """The capture asked for without an account. Without JavaScript: while it waits the page reloads
    itself every few seconds; once done it offers the ZIP, and a failure says why."""
    try:
        status = kit_captures.status(token, db=db, clock=clock)
    except DomainError as exc:
        return _private(
            render(
                request,
                "evidence/kit_capture.html",
                {"error": _message(request, exc), "refresh_seconds": None, "deleted": False},
                status_code=exc.status,
            )
        )
    error = None
    if status.error_code:
        error = status.error_en if page_lang(request) == "en" else status.error_ja
    return _private(
        render(
            request,
            "evidence/kit_capture.html",
            {
                "error": None,
                "deleted": False,
                "capture": status,
                "capture_error": error,
                "refresh_seconds": REFRESH_SECONDS if status.pending else None,
                "download_url": _kit_capture_url(request, token, "/download"),
                "delete_url": _kit_capture_url(request, token, "/delete"),
            },
        )
    )


@router.get("/evidence/kit/captures/{token}/download", response_model=None, dependencies=[PUBLIC])
def kit_capture_download(
    token: Annotated[str, Path(max_length=64)], db: DbSession, clock: AppClock, settings: AppSettings
) -> Response:
    """The sealed ZIP of a finished capture, as often as the person needs it until it expires."""
    status, chunks = kit_captures.download(token, db=db, settings=evidence_settings(settings), clock=clock)
    return StreamingResponse(
        chunks,
        media_type="application/zip",
        headers={**attachment(status.file_name or "mamori-capture.zip"), **PRIVATE},
    )


@router.post("/evidence/kit/captures/{token}/delete", response_model=None, dependencies=[PUBLIC])
def kit_capture_delete(
    request: Request,
    token: Annotated[str, Path(max_length=64)],
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> Response:
    """The person deletes the capture and its ZIP from the server now."""
    kit_captures.delete(token, db=db, settings=evidence_settings(settings), clock=clock)
    db.commit()
    return _private(
        render(
            request, "evidence/kit_capture.html", {"deleted": True, "error": None, "refresh_seconds": None}
        )
    )
