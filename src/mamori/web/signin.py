"""Sign-in and sign-out pages for staff: a session cookie (HttpOnly, SameSite=Lax, Secure on https).

A failed sign-in says the same thing whatever the reason (core.auth.authenticate); attempts are
limited per client address as `web.deps.client_address` resolves it (a forged X-Forwarded-For counts
for nothing unless it comes from a proxy in MAMORI_TRUSTED_PROXIES).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core import auth
from mamori.core.errors import DomainError
from mamori.core.ratelimit import RateLimited
from mamori.core.text import refuse_control_characters
from mamori.web.csrf import session_csrf_token, set_csrf_cookie
from mamori.web.deps import (
    PUBLIC,
    SESSION_COOKIE,
    AppClock,
    AppSettings,
    DbSession,
    client_address,
    limiter_for,
)
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["sign-in"])


# Where each role starts its day; the first role in this order that a person holds wins.
START_PAGES = (
    ("administrator", "/workspace"),
    ("specialist", "/workspace"),
    ("reviewer", "/workspace"),
    ("legal_officer", "/workspace"),
    ("auditor", "/workspace"),
    ("supervisor", "/consult/records"),
    ("counsellor", "/consult/records"),
    ("hotline_staff", "/hotline"),
    ("trusted_notifier", "/channels"),
    ("coordinator", "/awareness/lectures"),
    ("instructor", "/awareness/lectures"),
)


def start_page(roles: frozenset[str]) -> str:
    """The page a person lands on after signing in when nothing asked for another."""
    return next((page for role, page in START_PAGES if role in roles), "/")


def _safe_next(target: str) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect. "" means the start page."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else ""


@router.get("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
def login_page(request: Request, next: str = "") -> HTMLResponse:
    return render(request, "core/login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login", response_class=HTMLResponse, dependencies=[PUBLIC])
def login(
    request: Request,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    lang = page_lang(request)
    try:
        limiter_for(request, "login", settings.login_attempts_per_minute).check(client_address(request))
        refuse_control_characters(email, field="email", single_line=True)
        refuse_control_characters(next, field="next", single_line=True)
        # The password is never shown, logged or stored as text (only its hash): it is not checked here.
        user = auth.authenticate(email, password, db=db, at=clock.now())
    except DomainError as exc:
        db.commit()  # the failure count and any lockout must stick
        message = exc.ja if lang.startswith("ja") else exc.en
        ctx = {
            "next": "" if exc.field == "next" else _safe_next(next),
            "email": "" if exc.field == "email" else email,
            "error": message,
        }
        page = render(request, "core/login.html", ctx, status_code=exc.status)
        if isinstance(exc, RateLimited):
            page.headers["Retry-After"] = str(exc.retry_after)
        return page
    token, _csrf = auth.start_session(user, db=db, at=clock.now())
    db.commit()  # the session must exist before the browser follows the redirect
    response = RedirectResponse(_safe_next(next) or start_page(user.role_set), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_MAX.total_seconds()),
    )
    # Forms from now on carry the token bound to this session (web.csrf).
    set_csrf_cookie(request, response, session_csrf_token(settings.secret_key, token))
    return response


@router.post("/logout", dependencies=[PUBLIC])
def logout(request: Request, db: DbSession) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth.end_session(token, db=db)
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=request.url.scheme == "https"
    )
    return response
