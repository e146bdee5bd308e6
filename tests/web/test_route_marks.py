"""Every route of sign-in and detection says who may call it: a permission, or PUBLIC."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi.routing import APIRoute

from mamori.web.deps import public_route


def marks(dependant: Any) -> list[str]:
    found = []
    for dep in dependant.dependencies:
        if getattr(dep.call, "permission", None):
            found.append(str(dep.call.permission))
        if dep.call is public_route:
            found.append("PUBLIC")
        found += marks(dep)
    return found


@pytest.mark.parametrize("module", ["mamori.web.signin", "mamori.detect.api"])
def test_every_route_declares_its_permission_or_is_public(module: str) -> None:
    router = importlib.import_module(module).router
    routes = [r for r in router.routes if isinstance(r, APIRoute)]
    assert routes
    unmarked = [(sorted(r.methods), r.path) for r in routes if not marks(r.dependant)]
    assert unmarked == []
    assert not hasattr(importlib.import_module(module), "ROUTE_PERMISSIONS")


def test_detect_and_nudge_are_rate_limited() -> None:
    from mamori.detect.api import router

    limited = {
        r.path: [getattr(d.call, "rate_limit", None) for d in r.dependant.dependencies]
        for r in router.routes
        if isinstance(r, APIRoute)
    }
    assert ("detect", "detect_rate_limit_per_minute") in limited["/api/v1/detect"]
    assert ("nudge", "nudge_rate_limit_per_minute") in limited["/api/v1/nudge"]


def test_a_rate_limit_on_a_setting_that_does_not_exist_fails_at_import() -> None:
    from mamori.web.deps import rate_limit

    with pytest.raises(ValueError, match="no_such_setting"):
        rate_limit("x", "no_such_setting")
