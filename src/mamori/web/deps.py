"""Request dependencies for every route: the transaction, the settings, the clock, who is asking.

Capabilities import these (the web layer's edge), never the app factory. One database session per
request: the principal is looked up in the same session the route uses (FastAPI caches the dependency).
Every route declares what it needs: `require("case.decide")`, `staff_page(...)`, or `PUBLIC`, and the
route × role test fails on a route that says neither.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import auth
from mamori.core.auth import Principal
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.errors import DomainError, Forbidden
from mamori.core.ratelimit import RateLimiter

SESSION_COOKIE = "mamori_session"


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per HTTP request: committed when the route returns, rolled back on error."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def clock_of(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


# The dependencies that only read the app's state are `async`: FastAPI runs a plain `def` dependency in
# its thread pool, a hop per dependency per request that the intake profile showed costing more than
# the work.
async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_clock(request: Request) -> Clock:
    return clock_of(request)


# scope="function": the transaction is committed before the response is sent, so an answer (a 201, a
# redirect after a form) never runs ahead of the data it reports; a failed commit becomes the answer.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppClock = Annotated[Clock, Depends(get_clock)]


def optional_principal(request: Request, db: DbSession, clock: AppClock) -> Principal | None:
    """The person behind a Bearer token or a session cookie, if any (looked up in the request's session)."""
    header = request.headers.get("authorization", "")
    now = clock.now()
    principal = None
    if header[:7].lower() == "bearer ":
        principal = auth.principal_from_token(header[7:].strip(), db=db, at=now)
    elif request.cookies.get(SESSION_COOKIE):
        principal = auth.principal_from_session(request.cookies[SESSION_COOKIE], db=db, at=now)
    request.state.principal = principal
    return principal


MaybePrincipal = Annotated[Principal | None, Depends(optional_principal)]


def _not_signed_in() -> DomainError:
    return DomainError(code="not_signed_in", status=401, ja="ログインしてください。", en="Sign in first.")


def require(permission: str) -> Callable[..., Principal]:
    """Dependency: the signed-in person, who must hold `permission` (401 / 403 otherwise)."""

    def dependency(principal: MaybePrincipal) -> Principal:
        if principal is None:
            raise _not_signed_in()
        if not principal.may(permission):
            raise Forbidden()
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


def staff_page(permission: str) -> Callable[..., Principal | None]:
    """Like `require`, but a visitor who is not signed in gets None (the page then asks them to sign in)."""

    def dependency(principal: MaybePrincipal) -> Principal | None:
        if principal is not None and not principal.may(permission):
            raise Forbidden()
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency


async def public_route() -> None:
    """Marks a route that anyone may call (the removal-request window, the consultation, sign-in)."""


public_route.public = True  # type: ignore[attr-defined]
PUBLIC: Any = Depends(public_route)


def client_address(request: Request) -> str:
    """The client that limits count: the connecting peer, or the address a trusted proxy forwarded
    (only proxies in MAMORI_TRUSTED_PROXIES are believed; the app's proxy middleware resolves it)."""
    return request.client.host if request.client else "unknown"


_limiters_lock = threading.Lock()


def limiter_for(request: Request, name: str, per_minute: int) -> RateLimiter:
    """The app's limiter called `name` (one per app and name, made on first use)."""
    state = request.app.state
    with _limiters_lock:
        limiters: dict[str, RateLimiter] | None = getattr(state, "rate_limiters", None)
        if limiters is None:
            limiters = state.rate_limiters = {}
        limiter = limiters.get(name)
        if limiter is None or limiter.per_minute != per_minute:
            limiter = limiters[name] = RateLimiter(per_minute)
    return limiter


def rate_limit(name: str, per_minute_setting: str) -> Any:
    """A route dependency: at most `Settings.<per_minute_setting>` requests per client address per
    minute to the routes sharing `name`; then 429 with Retry-After, in ja and en.

        @router.post("/detect", dependencies=[PUBLIC, rate_limit("detect", "detect_rate_limit_per_minute")])
    """
    if per_minute_setting not in Settings.model_fields:
        raise ValueError(f"rate_limit({name!r}): Settings has no {per_minute_setting!r}")

    def dependency(request: Request, settings: AppSettings) -> None:
        per_minute = int(getattr(settings, per_minute_setting))
        limiter_for(request, name, per_minute).check(client_address(request))

    dependency.rate_limit = (name, per_minute_setting)  # type: ignore[attr-defined]
    return Depends(dependency)
