"""Transactions behave the same on SQLite as on PostgreSQL: a nested transaction (savepoint) rolled back
undoes only itself, and work committed inside an outer transaction that is rolled back is gone. (On
SQLite the driver's own transaction handling made a savepoint's release commit for good.)"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.core.db import make_engine


def _count(engine_url: str) -> int:
    engine = make_engine(engine_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM t")).scalar_one())
    finally:
        engine.dispose()


def test_a_commit_inside_a_rolled_back_outer_transaction_is_undone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tx.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    session.execute(text("INSERT INTO t VALUES (1)"))
    session.commit()  # releases the savepoint only
    session.close()
    outer.rollback()
    conn.close()
    engine.dispose()
    assert _count(url) == 0


def test_a_rolled_back_savepoint_keeps_the_rest_of_the_transaction(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sp.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with Session(engine) as session, session.begin():
        session.execute(text("INSERT INTO t VALUES (1)"))
        nested = session.begin_nested()
        session.execute(text("INSERT INTO t VALUES (2)"))
        nested.rollback()
    engine.dispose()
    assert _count(url) == 1
