"""Drafts for tests, built from the shipped examples (DEMO data) with the fields a test changes."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "mamori" / "drafting" / "examples"


@cache
def _example(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{kind}.json").read_text(encoding="utf-8"))
    return data


def draft_data(kind: str, **changes: Any) -> dict[str, Any]:
    """The example draft of `kind`; a change to None removes the field, `requester__x` sets a sub-field."""
    data = copy.deepcopy(_example(kind))
    for key, value in changes.items():
        target, name = (
            (data["requester"], key.split("__", 1)[1]) if key.startswith("requester__") else (data, key)
        )
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
    return data


def deletion_data(**changes: Any) -> dict[str, Any]:
    return draft_data("deletion", **changes)


def disclosure_data(**changes: Any) -> dict[str, Any]:
    return draft_data("disclosure", **changes)
