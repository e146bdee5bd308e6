"""PostgreSQL connections: a pooled connection that idled is tried before use and replaced when the
server dropped it (a restart, a failover, an idle timeout), so no request pays for it with an error; one
used a moment ago is handed out without that round trip. And the single-statement unit that intake runs on
the event loop: its statements run on their own, and it refuses to leave ORM changes half-written."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from mamori.core import db as core_db
from mamori.core.db import make_engine, make_single_statement_engine, run_single_statement_unit
from tests.conftest import _admin_url

R = TypeVar("R")


def on_a_loop_of_its_own(scenario: Callable[[], Coroutine[Any, Any, R]]) -> R:
    """Run `scenario` in a thread with a loop of its own (as the server's loop is its own), whatever
    loop the test process may have left running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


def _terminate_other_backends(url: str) -> int:
    """What a database restart does to the pool: every connection to this database is dropped."""
    name = url.rpartition("/")[2]
    admin = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            return len(
                conn.execute(
                    text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": name},
                ).all()
            )
    finally:
        admin.dispose()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_dropped_while_it_idled_is_replaced_before_use(
    postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE", dt.timedelta(0))  # every checkout counts as idle
    engine = make_engine(postgres_database_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        assert _terminate_other_backends(postgres_database_url) == 1
        second = _backend_pid(engine)  # no error: the dead connection was found and replaced
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_used_a_moment_ago_is_handed_out_without_a_ping(
    postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE", dt.timedelta(hours=1))
    engine = make_engine(postgres_database_url, pool_size=1)
    pings: list[object] = []
    try:
        _backend_pid(engine)

        def counted_ping(conn: object) -> bool:
            pings.append(conn)
            return True

        monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
        _backend_pid(engine)
        _backend_pid(engine)
        assert pings == []
        # the trade-off, stated: a connection dropped within the idle limit fails its next statement once,
        # and the pool is renewed, so the one after works
        _terminate_other_backends(postgres_database_url)
        with pytest.raises(DBAPIError) as dropped:
            _backend_pid(engine)
        assert dropped.value.connection_invalidated
        assert _backend_pid(engine) > 0
    finally:
        engine.dispose()


def test_the_single_statement_engine_also_replaces_a_dropped_connection(
    postgres_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE", dt.timedelta(0))
    engine = make_single_statement_engine(postgres_database_url, pool_size=1)
    assert engine is not None

    def pid(db: Session) -> int:
        return int(db.execute(text("SELECT pg_backend_pid()")).scalar_one())

    async def scenario() -> tuple[int, int]:
        try:
            first = await run_single_statement_unit(engine, pid)
            _terminate_other_backends(postgres_database_url)
            return first, await run_single_statement_unit(engine, pid)
        finally:
            await engine.dispose()

    first, second = on_a_loop_of_its_own(scenario)
    assert first != second


class _Base(DeclarativeBase):
    pass


class _Thing(_Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def test_the_single_statement_unit_commits_its_statement_and_refuses_orm_leftovers(
    postgres_database_url: str,
) -> None:
    setup = make_engine(postgres_database_url)
    _Base.metadata.create_all(setup)
    table = Table("things", MetaData(), Column("id", Integer, primary_key=True))
    engine = make_single_statement_engine(postgres_database_url)
    assert engine is not None

    def one_statement(db: Session) -> None:
        db.execute(insert(table).values(id=1))

    def orm_leftover(db: Session) -> None:
        db.add(_Thing(id=2))  # would be a second statement, flushed on its own

    def count() -> int:
        with setup.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM things")).scalar_one())

    async def scenario() -> None:
        try:
            await run_single_statement_unit(engine, one_statement)
            assert count() == 1  # committed by itself: no COMMIT was needed
            with pytest.raises(RuntimeError, match="single-statement"):
                await run_single_statement_unit(engine, orm_leftover)
        finally:
            await engine.dispose()

    try:
        on_a_loop_of_its_own(scenario)
        assert count() == 1  # the refused object was never written
    finally:
        setup.dispose()


def test_sqlite_has_no_single_statement_engine() -> None:
    assert make_single_statement_engine("sqlite:///unused.db") is None


def test_streamed_results_take_numbered_parameters_too(postgres_database_url: str) -> None:
    """`yield_per` reads through a server-side cursor; it gets the same numbered statements."""
    engine = make_engine(postgres_database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execution_options(yield_per=2).execute(
                text("SELECT n FROM generate_series(1, :last) AS n"), {"last": 5}
            )
            assert [n for (n,) in rows] == [1, 2, 3, 4, 5]
    finally:
        engine.dispose()
