"""FastAPI dependencies that say who is asking and whether they may: routes declare a permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from mamori.core import auth
from mamori.core.auth import Principal
from mamori.core.errors import DomainError, Forbidden
from mamori.web.app import get_clock, get_db

SESSION_COOKIE = "mamori_session"


def optional_principal(request: Request) -> Principal | None:
    """The person behind a Bearer token or a session cookie, if any."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    header = request.headers.get("authorization", "")
    db_iter = get_db(request)
    db = next(db_iter)
    try:
        now = get_clock(request).now()
        principal = None
        if header.lower().startswith("bearer "):
            principal = auth.principal_from_token(header[7:].strip(), db=db, at=now)
        elif request.cookies.get(SESSION_COOKIE):
            principal = auth.principal_from_session(request.cookies[SESSION_COOKIE], db=db, at=now)
        db.commit()
    finally:
        db.close()
    request.state.principal = principal
    return principal


def require(permission: str) -> Callable[..., Principal]:
    """Dependency: the signed-in person, who must hold `permission` (401 / 403 otherwise)."""

    def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        if principal is None:
            raise DomainError(
                code="not_signed_in", status=401, ja="ログインしてください。", en="Sign in first."
            )
        if not principal.may(permission):
            raise Forbidden()
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
