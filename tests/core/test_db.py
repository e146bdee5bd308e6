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


def test_a_transaction_that_has_only_read_blocks_no_writer(tmp_path: Path) -> None:
    """A request that reads, then waits on something slow (a remote window, a mail server), holds no lock."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with Session(engine) as reader, reader.begin():
        assert reader.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        other = make_engine(url)
        with other.begin() as writer:  # would wait 30 s and fail if the reader held the lock
            writer.execute(text("INSERT INTO t VALUES (1)"))
        other.dispose()
    engine.dispose()
    assert _count(url) == 1


def test_two_writers_that_read_first_both_succeed(tmp_path: Path) -> None:
    """Each reads, then writes, at the same time: the second waits for the first instead of failing with
    'database is locked' (the API and a worker writing at once)."""
    import threading

    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    both_read = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with Session(engine) as session, session.begin():
                session.execute(text("SELECT count(*) FROM t")).scalar_one()
                both_read.wait(timeout=5)
                session.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
                session.execute(text("SELECT count(*) FROM t")).scalar_one()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert errors == [] and _count(url) == 2
