"""consult's edges: it never imports evidence (evidence depends on consult), and every one of its routes
declares a permission or says it is public."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute

from mamori.consult import api, pages

CONSULT = Path(api.__file__).resolve().parent


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


@pytest.mark.parametrize("path", sorted(CONSULT.rglob("*.py")), ids=lambda p: p.name)
def test_consult_does_not_import_evidence(path: Path) -> None:
    assert [m for m in _imports(path) if m == "mamori.evidence" or m.startswith("mamori.evidence.")] == []


def _marks(dependant: Any) -> Iterator[str]:
    for dep in dependant.dependencies:
        if getattr(dep.call, "permission", None):
            yield f"permission:{dep.call.permission}"
        if getattr(dep.call, "public", False):
            yield "public"
        yield from _marks(dep)


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def test_every_consult_route_declares_a_permission_or_is_public() -> None:
    routes = [*_routes(api.router.routes), *_routes(pages.router.routes)]
    assert len(routes) > 20
    unmarked = [r.path for r in routes if not list(_marks(r.dependant))]
    both = [r.path for r in routes if len(set(_marks(r.dependant))) > 1]
    assert unmarked == [] and both == []
    public = {r.path for r in routes if "public" in set(_marks(r.dependant))}
    assert "/api/v1/triage/tree" in public and "/consult/q" in public
    assert not any(path.startswith(("/consult/records", "/api/v1/consultations")) for path in public)
