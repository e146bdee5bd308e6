"""Test foundations: both databases, a settable clock, a real SMTP server, a live server and Chromium.

Every database test runs on SQLite and on PostgreSQL. PostgreSQL comes from MAMORI_TEST_DATABASE_URL
or, failing that, from a throwaway cluster started with the machine's own binaries. What cannot run
is skipped LOUDLY; with MAMORI_TEST_STRICT=1 (CI) any skip fails the run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine
from mamori.migrations import upgrade
from tests.support.pgcluster import PostgresUnavailable, throwaway_cluster
from tests.support.smtp import MailSink

STRICT = os.environ.get("MAMORI_TEST_STRICT") == "1"
CHROMIUM = os.environ.get("MAMORI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SKIPPED: list[str] = []


def loud_skip(reason: str) -> None:
    SKIPPED.append(reason)
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    if SKIPPED:
        reasons = sorted(set(SKIPPED))
        bar = "!" * 78
        terminalreporter.write_line(bar, red=True, bold=True)
        terminalreporter.write_line("SKIPPED PARTS OF THE SUITE (install them to run everything):", red=True)
        for reason in reasons:
            terminalreporter.write_line(f"  - {reason}", red=True)
        terminalreporter.write_line(bar, red=True, bold=True)


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    if STRICT and SKIPPED:
        session.exitstatus = 1


# ---------------------------------------------------------------- PostgreSQL server


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """Base URL of a PostgreSQL server the suite may create databases on, or None."""
    given = os.environ.get("MAMORI_TEST_DATABASE_URL")
    if given:
        yield given
        return
    try:
        with throwaway_cluster(tmp_path_factory.mktemp("pg")) as url:
            yield url
    except PostgresUnavailable as exc:
        SKIPPED.append(f"PostgreSQL tests: {exc}")
        yield None


def _admin_url(base: str) -> str:
    head, _, _db = base.rpartition("/")
    return f"{head}/postgres"


def _create_pg_database(base: str, name: str, template: str | None = None) -> str:
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        suffix = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    admin.dispose()
    head, _, _db = base.rpartition("/")
    return f"{head}/{name}"


def _drop_pg_database(base: str, name: str) -> None:
    admin = create_engine(_admin_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str | None
) -> Iterator[tuple[str, str]]:
    """(backend, URL) of a template database with every migration applied."""
    backend = request.param
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "template.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield backend, url
        return
    if postgres_server is None:
        loud_skip("PostgreSQL tests: no server (set MAMORI_TEST_DATABASE_URL or install postgresql)")
    name = f"mamori_tmpl_{uuid.uuid4().hex[:8]}"
    url = _create_pg_database(postgres_server, name)
    upgrade(url)
    yield backend, url
    _drop_pg_database(postgres_server, name)


@pytest.fixture(scope="session")
def engine(migrated_database: tuple[str, str], postgres_server: str | None) -> Iterator[Engine]:
    """The database the rolled-back tests share (on PostgreSQL a copy, so the template stays unused)."""
    backend, template_url = migrated_database
    if backend == "sqlite":
        eng = make_engine(template_url)
        yield eng
        eng.dispose()
        return
    assert postgres_server is not None
    name = f"mamori_work_{uuid.uuid4().hex[:8]}"
    eng = make_engine(_create_pg_database(postgres_server, name, template=template_url.rpartition("/")[2]))
    yield eng
    eng.dispose()
    _drop_pg_database(postgres_server, name)


@pytest.fixture
def backend(migrated_database: tuple[str, str]) -> str:
    return migrated_database[0]


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def session_factory(db: Session) -> sessionmaker[Session]:
    """A session factory whose sessions share the test's rolled-back transaction."""
    return sessionmaker(bind=db.get_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def fresh_database_url(
    migrated_database: tuple[str, str], postgres_server: str | None, tmp_path: Path
) -> Iterator[str]:
    """A database of its own, really committed to (for workers, crashes and live servers)."""
    backend, template_url = migrated_database
    if backend == "sqlite":
        src = Path(template_url.removeprefix("sqlite:///"))
        dst = tmp_path / "fresh.db"
        shutil.copyfile(src, dst)
        yield f"sqlite:///{dst}"
        return
    assert postgres_server is not None
    template = template_url.rpartition("/")[2]
    name = f"mamori_t_{uuid.uuid4().hex[:10]}"
    yield _create_pg_database(postgres_server, name, template=template)
    _drop_pg_database(postgres_server, name)


# ---------------------------------------------------------------- clock, mail, settings, app


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(dt.datetime(2026, 4, 1, 10, 0, 0, tzinfo=JST))


@pytest.fixture
def mail() -> Iterator[MailSink]:
    sink = MailSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def settings(migrated_database: tuple[str, str], mail: MailSink, tmp_path: Path) -> Settings:
    return Settings(
        database_url=migrated_database[1],
        smtp_url=mail.url,
        env="test",
        data_dir=tmp_path / "data",
        outbox_backoff_seconds=1.0,
    )


@pytest.fixture
def client(settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    app = create_app(settings, clock=clock, session_factory=session_factory)
    with TestClient(app) as test_client:
        yield test_client


# ---------------------------------------------------------------- live server and browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        loud_skip(f"browser tests: no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def postgres_database_url(postgres_server: str | None) -> Iterator[str]:
    """A migrated PostgreSQL database of its own, for what only PostgreSQL deployments do."""
    if postgres_server is None:
        loud_skip("PostgreSQL-only tests: no server (set MAMORI_TEST_DATABASE_URL or install postgresql)")
    assert postgres_server is not None
    name = f"mamori_pg_{uuid.uuid4().hex[:10]}"
    url = _create_pg_database(postgres_server, name)
    upgrade(url)
    yield url
    _drop_pg_database(postgres_server, name)
