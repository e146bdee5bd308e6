from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.schema import load_all_tables
from mamori.migrations import include_name


def test_migrations_match_the_models(engine: Engine) -> None:
    metadata = load_all_tables().metadata
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False, "include_name": include_name})
        diff = compare_metadata(context, metadata)
    assert diff == [], f"models and migrations drift: write a migration for {diff}"


def test_audit_log_refuses_to_be_rewritten(db: Session) -> None:
    audit.record(
        db,
        at=dt.datetime.now(dt.UTC),
        actor="system",
        action="test.append",
        subject_type="test",
        subject_id="1",
    )
    db.flush()
    with pytest.raises(DBAPIError, match="append-only"):
        with db.begin_nested():
            db.execute(text("UPDATE audit_log SET actor = 'someone else'"))
    with pytest.raises(DBAPIError, match="append-only"):
        with db.begin_nested():
            db.execute(text("DELETE FROM audit_log"))


def test_times_come_back_with_their_offset(db: Session) -> None:
    at = dt.datetime(2026, 3, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    audit.record(db, at=at, actor="system", action="test.time", subject_type="test", subject_id="t")
    db.flush()
    row = audit.entries_for(db, "test", "t")[0]
    db.refresh(row)
    assert row.at == at and row.at.utcoffset() == dt.timedelta(0)
