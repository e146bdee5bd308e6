"""Every drafting route says who may call it: a permission (require / staff_page) or PUBLIC."""

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


@pytest.mark.parametrize("module", ["mamori.drafting.api", "mamori.drafting.pages"])
def test_every_route_declares_its_permission_or_is_public(module: str) -> None:
    loaded = importlib.import_module(module)
    routes = [r for r in loaded.router.routes if isinstance(r, APIRoute)]
    assert routes
    assert [(sorted(r.methods), r.path) for r in routes if len(marks(r.dependant)) != 1] == []
    assert not hasattr(loaded, "ROUTE_PERMISSIONS")
