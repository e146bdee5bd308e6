"""The administrator's page: the operator named in notices and the services the window receives requests for.

The same services as `mamori setup` and `mamori services` (core.operator, requests.services): the rules
and the permission check live there; this page parses the form, calls them, and shows a refusal next
to the field in the page's language, keeping what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core import operator as operators
from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.requests import services
from mamori.web.deps import AppClock, AppSettings, DbSession, require
from mamori.web.templating import page_lang, render

router = APIRouter(prefix="/workspace/admin", tags=["workspace"])
Administrator = Annotated[Principal, Depends(require("platform.manage"))]
FormText = Annotated[str, Form()]
SAVED = ("operator", "service-added", "service-renamed")


OPERATOR_FIELDS = ("name_ja", "name_en", "email", "public_url", "postal_address", "phone", "contact_url")
SERVICE_FIELDS = ("slug", "name_ja", "name_en")


def _page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    *,
    form: str | None = None,
    typed: dict[str, str] | None = None,
    error: DomainError | None = None,
) -> HTMLResponse:
    """The page; after a refusal, the form that was sent keeps what was typed and shows why next to
    the field (or at the top of the form when the refusal names none of its fields)."""
    lang = page_lang(request)
    profile = operators.operator_profile(db, settings)
    listed = services.list_services(db)
    typed = typed or {}
    operator_values = {f: getattr(profile, f) or "" for f in OPERATOR_FIELDS}
    rows: list[dict[str, Any]] = [
        {"slug": s.slug, "form": f"service:{s.slug}", "values": {"name_ja": s.name_ja, "name_en": s.name_en}}
        for s in listed
    ]
    fields_of: dict[str, tuple[str, ...]] = {"operator": OPERATOR_FIELDS, "add": SERVICE_FIELDS}
    fields_of.update({row["form"]: ("name_ja", "name_en") for row in rows})
    field_errors: dict[str, str] = {}  # "<form>|<field>" -> message
    form_errors: dict[str, str] = {}
    page_error = None
    if error is not None and form is not None:
        message = error.en if lang == "en" else error.ja
        if form not in fields_of:  # e.g. a service renamed that is not there
            page_error = message
        elif error.field in fields_of[form]:
            field_errors[f"{form}|{error.field}"] = message
        else:
            form_errors[form] = message
        if form == "operator":
            operator_values.update(typed)
        for row in rows:
            if row["form"] == form:
                row["values"] = dict(typed)
    saved = request.query_params.get("saved", "")
    ctx: dict[str, Any] = {
        "operator": profile,
        "operator_values": operator_values,
        "add_values": typed if form == "add" else {},
        "rows": rows,
        "field_errors": field_errors,
        "form_errors": form_errors,
        "page_error": page_error,
        "saved": saved if saved in SAVED else "",
        "decision_period_days": settings.decision_period_days,
    }
    status = error.status if error is not None else 200
    return render(request, "workspace/admin_platform.html", ctx, status_code=status)


def _done(request: Request, db: DbSession, saved: str) -> RedirectResponse:
    db.commit()  # durable before the browser follows the redirect
    query = urlencode({"lang": page_lang(request), "saved": saved})
    return RedirectResponse(f"/workspace/admin?{query}", status_code=303)


@router.get("", response_class=HTMLResponse)
def admin_page(
    request: Request, db: DbSession, settings: AppSettings, principal: Administrator
) -> HTMLResponse:
    """The operator and the services, with the forms to change them."""
    return _page(request, db, settings)


@router.post("/operator")
def save_operator(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Administrator,
    name_ja: FormText = "",
    name_en: FormText = "",
    email: FormText = "",
    public_url: FormText = "",
    postal_address: FormText = "",
    phone: FormText = "",
    contact_url: FormText = "",
) -> Response:
    """Set the operator's names, contact and public address (shown in notices from now on)."""
    typed = {
        "name_ja": name_ja,
        "name_en": name_en,
        "email": email,
        "public_url": public_url,
        "postal_address": postal_address,
        "phone": phone,
        "contact_url": contact_url,
    }
    try:
        operators.set_operator(**typed, db=db, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, settings, form="operator", typed=typed, error=exc)
    return _done(request, db, "operator")


@router.post("/services")
def add_service(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Administrator,
    slug: FormText = "",
    name_ja: FormText = "",
    name_en: FormText = "",
) -> Response:
    """Add a service: requests to it are accepted from now on."""
    typed = {"slug": slug, "name_ja": name_ja, "name_en": name_en}
    try:
        services.add_service(slug.strip(), name_ja, name_en, db=db, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _page(request, db, settings, form="add", typed=typed, error=exc)
    return _done(request, db, "service-added")


@router.post("/services/{slug}")
def rename_service(
    request: Request,
    slug: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Administrator,
    name_ja: FormText = "",
    name_en: FormText = "",
) -> Response:
    """Rename a service in Japanese and English (its slug stays)."""
    typed = {"name_ja": name_ja, "name_en": name_en}
    try:
        services.update_service(
            slug, name_ja=name_ja, name_en=name_en, db=db, at=clock.now(), by=principal.actor
        )
    except DomainError as exc:
        db.rollback()
        return _page(request, db, settings, form=f"service:{slug}", typed=typed, error=exc)
    return _done(request, db, "service-renamed")
