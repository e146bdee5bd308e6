from __future__ import annotations

from typing import Any

from alembic import context

from mamori.core.db import make_engine
from mamori.core.schema import load_all_tables
from mamori.migrations import include_name

target_metadata = load_all_tables().metadata
url = context.config.get_main_option("sqlalchemy.url") or ""


def _driver(connection: Any) -> Any:
    """The driver's own connection (for what must run outside any transaction SQLAlchemy begins)."""
    driver = connection.connection.driver_connection
    assert driver is not None
    return driver


def run_migrations() -> None:
    connectable = context.config.attributes.get("connection")
    if connectable is not None:
        context.configure(
            connection=connectable,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite changes a table by copying it (batch mode); the tables that refer to it must not
            # stop the copy. Checked again below, before anything is committed. The pragma has effect only
            # outside a transaction: it goes to the driver's connection before SQLAlchemy begins one.
            _driver(connection).execute("PRAGMA foreign_keys=OFF")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows whose references are broken: {broken[:5]}")
        if sqlite:
            connection.commit()
            _driver(connection).execute("PRAGMA foreign_keys=ON")
    engine.dispose()


run_migrations()
