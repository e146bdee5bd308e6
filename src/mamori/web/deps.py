"""Request dependencies for every route: the transaction, the settings, the clock, who is asking.

Capabilities import these (the web layer's edge), never the app factory. One database session per
request: the principal is looked up in the same session the route uses (FastAPI caches the dependency).
Every route declares what it needs: `require("case.decide")`, `staff_page(...)`, or `PUBLIC`, and the
route × role test fails on a route that says neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import auth
from mamori.core.auth import Principal
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.errors import DomainError, Forbidden

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


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


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


def public_route() -> None:
    """Marks a route that anyone may call (the removal-request window, the consultation, sign-in)."""


public_route.public = True  # type: ignore[attr-defined]
PUBLIC: Any = Depends(public_route)
