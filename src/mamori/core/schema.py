"""Where the tables live: every capability's `store` module (and core's), imported in one place.

Alembic and the tests call `load_all_tables()` so that Base.metadata is complete.
"""

from __future__ import annotations

import importlib
import pkgutil

import mamori
from mamori.core.db import Base

CORE_TABLE_MODULES = ("mamori.core.audit", "mamori.core.auth", "mamori.core.operator")


def load_all_tables() -> type[Base]:
    for name in CORE_TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    for info in pkgutil.iter_modules(mamori.__path__):
        if not info.ispkg or info.name in ("core", "web", "migrations", "locale"):
            continue
        try:
            importlib.import_module(f"mamori.{info.name}.store")
        except ModuleNotFoundError as exc:
            if exc.name != f"mamori.{info.name}.store":
                raise
    return Base
