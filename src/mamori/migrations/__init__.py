"""Alembic migrations, shipped inside the package so `mamori db upgrade` works from any directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to the newest schema (or to `revision`)."""
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str:
    """The newest revision this code knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(connection: object) -> str | None:
    """The revision a database is at (None: never migrated)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()  # type: ignore[arg-type]


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Leave procrastinate's own tables (its schema is applied whole by a migration) out of autogenerate."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))
