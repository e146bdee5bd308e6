"""reposts: the reviewers' workspace pages — matches to confirm or dismiss (/reposts) and pile-ons with
their chart and the protective measures offered (/reposts/pileons). Signed-in staff only."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.reposts import media, pileons, service
from mamori.web.deps import AppClock, AppSettings, DbSession, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["reposts"], include_in_schema=False)


def staff(permission: str) -> Any:
    """`staff_page(permission)` (403 without it), and the sign-in page for a visitor signed out."""
    page = staff_page(permission)

    def signed_in(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            raise HTTPException(
                status_code=303, headers={"Location": f"/login?{urlencode({'next': request.url.path})}"}
            )
        return principal

    return Depends(signed_in)


Reader = Annotated[Principal, staff("repost.read")]
Reviewer = Annotated[Principal, staff("repost.review")]

MEASURE_LABELS = {
    "limit_replies": "Limit who can reply",
    "hide_replies_from_new_accounts": "Hide replies from new accounts",
    "mute_mentions_24h": "Mute mentions for 24 hours",
    "pause_notifications": "Pause notifications",
    "lock_account_temporarily": "Make the account private for a while",
}


LABELS = {
    "text": "Text",
    "image": "Image (PDQ)",
    "ocr": "Screenshot text (OCR)",
    "open": "Open",
    "confirmed": "Confirmed",
    "dismissed": "Dismissed",
    "offered": "Measures offered",
    "remove": "Removal",
    "restrict_visibility": "Visibility restricted",
    "suspend_account": "Account suspended",
}


def _render(request: Request, template: str, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = render(
        request,
        template,
        {"measure_labels": MEASURE_LABELS, "labels": LABELS, **ctx},
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _lang_suffix(request: Request) -> str:
    lang = request.query_params.get("lang")
    return f"?lang={lang}" if lang in ("ja", "en") else ""


@router.get("/reposts")
def matches_page(request: Request, principal: Reader, db: DbSession, status: str = "open") -> HTMLResponse:
    status = status if status in ("open", "confirmed", "dismissed") else "open"
    rows = service.list_matches(db=db, by=principal.actor, status=status)
    return _render(
        request,
        "reposts/matches.html",
        {
            "rows": rows,
            "status": status,
            "bank": service.bank_size(db),
            "bank_version": service.bank_version(db),
        },
    )


def _match_page(
    request: Request,
    match_id: str,
    principal: Principal,
    db: Any,
    clock: Any,
    settings: Any,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = service.view_match(match_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return _render(
        request,
        "reposts/match.html",
        {"v": view, "may_review": principal.may("repost.review"), "error": error},
        status_code=status_code,
    )


@router.get("/reposts/matches/{match_id}")
def match_page(
    request: Request, match_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> HTMLResponse:
    return _match_page(request, match_id, principal, db, clock, settings)


@router.post("/reposts/matches/{match_id}")
def resolve_match(
    request: Request,
    match_id: str,
    principal: Reviewer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    action: Annotated[str, Form(max_length=10)],
    note: Annotated[str, Form(max_length=2000)] = "",
    poster_email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    try:
        if action == "confirm":
            service.confirm(
                match_id,
                note,
                poster_email=poster_email or None,
                db=db,
                settings=settings,
                at=clock.now(),
                by=principal.actor,
            )
        elif action == "dismiss":
            service.dismiss(match_id, note, db=db, at=clock.now(), by=principal.actor)
        else:
            raise DomainError(code="bad_action", field="action", ja="操作が不明です。", en="Unknown action.")
    except DomainError as exc:
        error = exc.en if page_lang(request) == "en" else exc.ja
        return _match_page(request, match_id, principal, db, clock, settings, error, 422)
    db.commit()  # durable before the browser follows the redirect
    return RedirectResponse(f"/reposts/matches/{match_id}{_lang_suffix(request)}", status_code=303)


@router.get("/reposts/pileons")
def pileons_page(request: Request, principal: Reader, db: DbSession) -> HTMLResponse:
    return _render(request, "reposts/pileons.html", {"rows": pileons.list_pileons(db=db, by=principal.actor)})


def _pileon_page(
    request: Request,
    pileon_id: str,
    principal: Principal,
    db: Any,
    clock: Any,
    settings: Any,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = pileons.view(pileon_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return _render(
        request,
        "reposts/pileon.html",
        {"v": view, "may_review": principal.may("repost.review"), "error": error},
        status_code=status_code,
    )


@router.get("/reposts/pileons/{pileon_id}")
def pileon_page(
    request: Request, pileon_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> HTMLResponse:
    return _pileon_page(request, pileon_id, principal, db, clock, settings)


@router.get("/reposts/pileons/{pileon_id}/chart.png")
def pileon_chart(
    request: Request, pileon_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> Response:
    view = pileons.view(pileon_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    png = pileons.chart_png(view, page_lang(request), media.japanese_font_path())
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.post("/reposts/pileons/{pileon_id}")
def offer_measures(
    request: Request,
    pileon_id: str,
    principal: Reviewer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    measures: Annotated[list[str] | None, Form()] = None,
) -> Response:
    try:
        pileons.offer_measures(
            pileon_id, measures or [], db=db, settings=settings, at=clock.now(), by=principal.actor
        )
    except DomainError as exc:
        error = exc.en if page_lang(request) == "en" else exc.ja
        return _pileon_page(request, pileon_id, principal, db, clock, settings, error, 422)
    db.commit()
    return RedirectResponse(f"/reposts/pileons/{pileon_id}{_lang_suffix(request)}", status_code=303)
