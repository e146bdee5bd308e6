"""Database engine, sessions and the column types every store shares."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar, cast

from psycopg import AsyncRawCursor, AsyncRawServerCursor, RawCursor, RawServerCursor
from sqlalchemy import MetaData, String, create_engine, event
from sqlalchemy.engine import CursorResult, Dialect, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement
from sqlalchemy.types import DateTime, TypeDecorator

T = TypeVar("T")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """timestamptz on PostgreSQL; on SQLite stored as UTC and read back with its offset."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store times with their offset")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def id_column_type() -> String:
    return String(32)


_SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        kwargs.pop("pool_size", None)  # SQLite serialises writers; its default pool is right
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # The driver's own transaction handling is off: see _sqlite_begin_before_first_write.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "before_cursor_execute")
        def _sqlite_begin_before_first_write(
            conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
        ) -> None:
            # SQLAlchemy begins the transaction itself, right before its first write, and IMMEDIATE:
            # - not the driver: its own handling knew nothing of savepoints, so a savepoint's RELEASE
            #   committed for good (nested transactions and the tests' rolled-back ones leaked);
            # - before the first write, not at the first read: a transaction that only reads (or reads,
            #   then waits on a remote server) holds no lock and blocks no writer;
            # - IMMEDIATE: the write lock is taken, waiting up to the busy timeout, before anything is
            #   written. A transaction that has read under a plain BEGIN cannot wait for the lock when it
            #   comes to write (SQLite refuses at once: "database is locked").
            if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
                return
            driver = conn.connection.driver_connection
            if not driver.in_transaction and statement.lstrip()[:9].upper().startswith(_SQLITE_WRITES):
                driver.execute("BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("max_overflow", 10)
    # SQLAlchemy numbers the parameters itself ($1, $2, ...) and psycopg's raw cursor sends the statement
    # as it is: psycopg parses no query for placeholders (it did so for every statement too long for its
    # cache, as intake's single INSERT is), and prepares the statements used often, whatever their length.
    engine = create_engine(
        url, paramstyle="numeric_dollar", connect_args={"cursor_factory": RawCursor}, **kwargs
    )
    _raw_server_cursors(engine, RawServerCursor)
    _ping_connections_that_idled(engine, PING_AFTER_IDLE)
    return engine


def _raw_server_cursors(engine: Engine, factory: type) -> None:
    """Server-side cursors (`yield_per`, streamed results) take the numbered statements too."""

    @event.listens_for(engine, "connect")
    def _server_cursor_factory(dbapi_conn: Any, _record: Any) -> None:
        driver = getattr(dbapi_conn, "driver_connection", dbapi_conn)  # the async engine's is adapted
        driver.server_cursor_factory = factory


PING_AFTER_IDLE = dt.timedelta(seconds=2)


def _ping_connections_that_idled(engine: Engine, after: dt.timedelta) -> None:
    """A pooled connection that sat idle longer than `after` is tried (SELECT 1) before it is handed out;
    a dead one is replaced (SQLAlchemy retries the checkout on DisconnectionError), so a restarted or
    failed-over database costs no request an error. One used a moment ago is handed out as it is: under
    load that spares every request the round trip `pool_pre_ping` would add."""
    limit = after.total_seconds()

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn: Any, record: Any) -> None:
        record.info["mamori.idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idled(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("mamori.idle_since")
        if idle_since is None or time.monotonic() - idle_since < limit:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("the database did not answer a pooled connection") from exc


def make_single_statement_engine(url: str, **kwargs: Any) -> AsyncEngine | None:
    """On PostgreSQL, an engine for units of work that read and then write in ONE statement (intake's
    `insert_together`), run from a request without a trip to the thread pool: `run_single_statement_unit`.
    None elsewhere (SQLite runs them in the thread pool, in a transaction).

    Its statements run on their own (autocommit): a single statement is atomic by itself, so BEGIN and
    COMMIT would only add two round trips; under READ COMMITTED, the default, each statement takes its own
    snapshot inside a transaction as well, so the reads see the same."""
    if not url.startswith("postgresql"):
        return None
    kwargs.setdefault("max_overflow", 10)
    engine = create_async_engine(
        url,
        isolation_level="AUTOCOMMIT",
        paramstyle="numeric_dollar",
        connect_args={"cursor_factory": AsyncRawCursor},
        **kwargs,
    )
    _raw_server_cursors(engine.sync_engine, AsyncRawServerCursor)
    _ping_connections_that_idled(engine.sync_engine, PING_AFTER_IDLE)
    return engine


async def run_single_statement_unit(engine: AsyncEngine, work: Callable[[Session], T]) -> T:
    """Run `work` (ordinary synchronous service code) on `engine`'s connection, its I/O awaited on the
    event loop (SQLAlchemy's greenlet bridge): no thread hop, no GIL handed back and forth. Nothing is
    flushed implicitly: an ORM object left in the session is refused before anything of it is written,
    since its INSERT would be a second, separate statement."""
    async with AsyncSession(engine, expire_on_commit=False, autoflush=False) as session:
        result = await session.run_sync(work)
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a single-statement unit of work left ORM changes to flush: use `transaction`")
        return result


def execute_compiled(db: Session, statement: ClauseElement, params: Mapping[str, Any]) -> CursorResult[Any]:
    """Execute a Core statement built once (a module-level cache holds it) on the session's connection,
    past SQLAlchemy's per-execution work: the statement is compiled once per dialect, its parameters put
    in order and through their types' bind processors, and the SQL handed to the driver as it is. Rows
    come back as the driver gives them (no result processing): for columns whose values need none
    (strings, integers), as a hot path's reads are. Each call pays neither a cache key nor a compile."""
    connection = db.connection()
    sql, slots = _compiled(statement, connection.dialect)
    values = tuple(
        fixed if name is None else params[name] if process is None else process(params[name])
        for name, process, fixed in slots
    )
    return connection.exec_driver_sql(sql, values)


# One parameter's place: the caller's name and its type's bind processor, or (None, None, value) for a
# value written into the statement (a LIMIT, a constant), already processed.
_Slot = tuple[str | None, Callable[[Any], Any] | None, Any]


@lru_cache(maxsize=64)
def _compiled(statement: ClauseElement, dialect: Dialect) -> tuple[str, tuple[_Slot, ...]]:
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    if not dialect.positional or compiled.positiontup is None:
        raise ValueError(f"execute_compiled needs a positional paramstyle, not {dialect.paramstyle}")
    slots: list[_Slot] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        # the dialect's own form of the type (SQLite's DATETIME writes the text every other row has)
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required:
            slots.append((name, process, None))
        else:
            value = bind.effective_value
            slots.append((None, None, value if process is None else process(value)))
    return compiled.string, tuple(slots)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. Services never commit."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
