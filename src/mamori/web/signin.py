"""Sign-in and sign-out pages for staff: a session cookie (HttpOnly, SameSite=Lax, Secure on https)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core import auth
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.core.ratelimit import RateLimiter
from mamori.web.deps import SESSION_COOKIE, AppClock, AppSettings, DbSession
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["sign-in"])
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {
    ("GET", "/login"): None,
    ("POST", "/login"): None,
    ("POST", "/logout"): None,
}


def _limiter(request: Request, settings: Settings) -> RateLimiter:
    """Sign-in attempts per client address, on top of the per-account lockout in auth."""
    state = request.app.state
    if not hasattr(state, "login_limiter"):
        state.login_limiter = RateLimiter(settings.login_attempts_per_minute)
    return state.login_limiter  # type: ignore[no-any-return]


def _safe_next(target: str) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    return (
        target
        if target.startswith("/") and not target.startswith("//") and "\\" not in target
        else "/workspace"
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/workspace") -> HTMLResponse:
    return render(request, "core/login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/workspace",
) -> Response:
    lang = page_lang(request)
    address = request.client.host if request.client else "unknown"
    try:
        _limiter(request, settings).check(address)
        user = auth.authenticate(email, password, db=db, at=clock.now())
    except DomainError as exc:
        db.commit()  # the failure count and any lockout must stick
        message = exc.ja if lang.startswith("ja") else exc.en
        ctx = {"next": _safe_next(next), "error": message, "email": email}
        return render(request, "core/login.html", ctx, status_code=exc.status)
    token, _csrf = auth.start_session(user, db=db, at=clock.now())
    db.commit()  # the session must exist before the browser follows the redirect
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(auth.SESSION_MAX.total_seconds()),
    )
    return response


@router.post("/logout")
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
