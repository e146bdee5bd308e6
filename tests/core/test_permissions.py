"""Every route of the app × every role: refused (403) without the route's permission, 401 when not
signed in, and an auditor can change nothing. Permissions are read from each route's `require(...)`;
a route without one must be marked public (`web.deps.PUBLIC`), or the suite fails."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.web.app import create_app


def permission_of(dependant: Any) -> str | None:
    for dep in dependant.dependencies:
        found = getattr(dep.call, "permission", None) or permission_of(dep)
        if found:
            return str(found)
    return None


def is_public(dependant: Any) -> bool:
    return any(getattr(dep.call, "public", False) or is_public(dep) for dep in dependant.dependencies)


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, also those inside included routers (FastAPI wraps them)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def guarded_routes() -> Iterator[tuple[str, str, str]]:
    for route in api_routes(create_app().routes):
        permission = permission_of(route.dependant)
        if permission:
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path, permission


ROUTES = sorted(set(guarded_routes()))


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0" * 32, path)


@pytest.fixture
def settings(settings: Any) -> Any:
    """Every route is called once per role here: no rate limit may answer before the permission does."""
    limits = {name: 100_000 for name in type(settings).model_fields if name.endswith("_per_minute")}
    return settings.model_copy(update=limits)


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    at = dt.datetime(2026, 1, 1, tzinfo=JST)
    out = {}
    for role in auth.ROLES:
        user = auth.create_user(
            f"{role}@perm.test", role, [role], "a long enough password", db=db, at=at, by=Actor.system()
        )
        out[role] = auth.create_api_token(user, db=db, at=at, valid_for=None)
    db.flush()
    return out


# Routes that are not FastAPI API routes, each with why it has no permission.
NOT_API_ROUTES = {
    "/static": "the stylesheet and the consultation's static files: public, nothing personal",
    "/api/openapi.json": "the published description of the API",
    "/api/docs": "the API's documentation page",
    "/docs/oauth2-redirect": "part of the documentation page",
    "/redoc": "the API's documentation, another layout",
}


def test_every_route_declares_its_permission_or_is_marked_public() -> None:
    unmarked, both = [], []
    app = create_app()
    for route in api_routes(app.routes):
        guarded, public = permission_of(route.dependant) is not None, is_public(route.dependant)
        if not guarded and not public:
            unmarked.append(f"{sorted(route.methods)} {route.path}")
        if guarded and public:
            both.append(f"{sorted(route.methods)} {route.path}")
    others = [
        r.path
        for r in app.routes
        if not isinstance(r, APIRoute) and not hasattr(r, "original_router") and r.path not in NOT_API_ROUTES
    ]
    assert unmarked == [], "routes with neither a permission nor PUBLIC:\n" + "\n".join(unmarked)
    assert both == [], "routes both guarded and public:\n" + "\n".join(both)
    assert others == []


def test_there_are_guarded_routes_to_check() -> None:
    assert any(path.startswith("/workspace") for _, path, _ in ROUTES)


# Non-GET routes whose permission an auditor holds, each with why it changes nothing that matters.
# Empty: consult's record sharing now needs consult.record (it was the one exception).
# Asking for the report's figures to be built again changes no data (the build is a computation over
# the cases, kept as a snapshot): an auditor, who reads reports, may ask for it.
AUDITOR_MAY_POST: set[tuple[str, str]] = {
    ("POST", "/reports/{year}/build"),
    ("POST", "/api/v1/transparency/reports/{year}/builds"),
}


def test_every_route_refuses_roles_without_its_permission(client: Any, tokens: dict[str, str]) -> None:
    wrong = []
    for method, path, permission in ROUTES:
        url = concrete(path)
        anonymous = client.request(method, url, follow_redirects=False)
        # 401, or a page that only asks to sign in (some capabilities render their own sign-in prompt)
        asks_to_sign_in = anonymous.status_code in (200, 303) and "/login" in (
            anonymous.text + anonymous.headers.get("location", "")
        )
        if anonymous.status_code != 401 and not asks_to_sign_in:
            wrong.append((method, path, "anonymous", anonymous.status_code))
        for role in auth.ROLES:
            if permission in auth.PERMISSIONS[role]:
                continue
            answer = client.request(method, url, headers={"Authorization": f"Bearer {tokens[role]}"})
            if answer.status_code != 403:
                wrong.append((method, path, role, answer.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_an_auditor_can_change_nothing() -> None:
    auditor = auth.PERMISSIONS["auditor"]
    changing = [(m, p, perm) for m, p, perm in ROUTES if m not in ("GET", "HEAD")]
    assert changing
    assert [r for r in changing if r[2] in auditor and r[:2] not in AUDITOR_MAY_POST] == []
