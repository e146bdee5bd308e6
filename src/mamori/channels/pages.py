"""channels: the pages — a body's own list of requests (/channels), the administrator's bodies and keys
(/channels/admin), and each body's record for reviewers (/channels/record)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.channels import model, service
from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.web.deps import AppClock, AppSettings, DbSession, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(include_in_schema=False, tags=["channels"])


def signed_in(permission: str) -> Any:
    page = staff_page(permission)

    def dependency(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            raise HTTPException(
                status_code=303, headers={"Location": "/login?" + urlencode({"next": request.url.path})}
            )
        return principal

    return Depends(dependency)


Body = Annotated[Principal, signed_in("channel.submit")]
Manager = Annotated[Principal, signed_in("channel.manage")]
Reader = Annotated[Principal, signed_in("channel.read")]


def _page(request: Request, template: str, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = render(request, template, ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/channels")
def my_requests(request: Request, principal: Body, db: DbSession, clock: AppClock) -> HTMLResponse:
    caller = service.caller_for(principal, None, db=db, at=clock.now())
    return _page(
        request, "channels/mine.html", {"body": caller.body, "rows": service.statuses(caller=caller, db=db)}
    )


def _admin(request: Request, db: DbSession, **extra: Any) -> HTMLResponse:
    bodies = service.list_bodies(db)
    ctx = {
        "bodies": bodies,
        "keys": {b.slug: service.keys(b.slug, db=db) for b in bodies},
        "kinds": [k.value for k in model.BodyKind],
        "new_key": None,
        "error": None,
        **extra,
    }
    return _page(request, "channels/admin.html", ctx, status_code=422 if extra.get("error") else 200)


@router.get("/channels/admin")
def admin(request: Request, principal: Manager, db: DbSession) -> HTMLResponse:
    return _admin(request, db)


def _message(request: Request, exc: DomainError) -> str:
    return exc.en if page_lang(request) == "en" else exc.ja


@router.post("/channels/admin/bodies")
def add_body(
    request: Request,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    slug: Annotated[str, Form(max_length=60)],
    name: Annotated[str, Form(max_length=100)],
    kind: Annotated[str, Form(max_length=30)],
    contact_email: Annotated[str, Form(max_length=320)],
    address: Annotated[str, Form(max_length=500)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    try:
        service.add_body(
            service.NewBody(slug, name, kind, contact_email, address, phone),
            db=db,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        db.rollback()
        return _admin(request, db, error=_message(request, exc))
    db.commit()
    return RedirectResponse(f"/channels/admin?lang={page_lang(request)}", status_code=303)


@router.post("/channels/admin/bodies/{slug}/keys")
def issue_key(
    request: Request,
    slug: str,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    scopes: Annotated[list[str] | None, Form()] = None,
    label: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        parsed = model.parse_scopes(",".join(scopes or []))
    except ValueError:
        parsed = frozenset()
    if not parsed:
        return _admin(
            request,
            db,
            error="鍵の権限を一つ以上選んでください。"
            if page_lang(request) != "en"
            else "Choose at least one scope.",
        )
    token, row = service.issue_key(
        slug,
        scopes=parsed,
        valid_days=settings.channels_key_valid_days,
        label=label,
        db=db,
        at=clock.now(),
        by=principal.actor,
    )
    db.commit()
    return _admin(request, db, new_key=(slug, row.key_id, token))  # shown once, never again


@router.post("/channels/admin/bodies/{slug}/members")
def add_member(
    request: Request,
    slug: str,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    email: Annotated[str, Form(max_length=320)],
    display_name: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=200)],
) -> Response:
    """A web sign-in for one of the body's staff (role trusted_notifier, linked to the body)."""
    try:
        service.add_member(slug, email, display_name, password, db=db, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _admin(request, db, error=_message(request, exc))
    db.commit()
    return RedirectResponse(f"/channels/admin?lang={page_lang(request)}", status_code=303)


@router.post("/channels/admin/bodies/{slug}/keys/{key_id}/rotate")
def rotate_key(
    request: Request,
    slug: str,
    key_id: str,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> Response:
    token, row = service.rotate_key(
        slug, key_id, valid_days=settings.channels_key_valid_days, db=db, at=clock.now(), by=principal.actor
    )
    db.commit()
    return _admin(request, db, new_key=(slug, row.key_id, token))


@router.post("/channels/admin/bodies/{slug}/keys/{key_id}/revoke")
def revoke_key(
    request: Request, slug: str, key_id: str, principal: Manager, db: DbSession, clock: AppClock
) -> Response:
    service.revoke_key(slug, key_id, db=db, at=clock.now(), by=principal.actor)
    db.commit()
    return RedirectResponse(f"/channels/admin?lang={page_lang(request)}", status_code=303)


@router.get("/channels/record")
def record(request: Request, principal: Reader, db: DbSession) -> HTMLResponse:
    return _page(
        request, "channels/record.html", {"records": service.body_records(db=db, by=principal.actor)}
    )
