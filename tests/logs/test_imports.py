"""Large log files imported by a worker: the API answers at once (202) with the import's status, a worker
stores the rows (or names the bad row, storing nothing), an import whose worker died is taken up again
and stored once, a file past the limit is refused (413), and only who sent it (or a legal officer) sees
an import. The uploaded file is deleted once the import is done or failed."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from mamori.core import auth, jobs
from mamori.core.audit import Actor, AuditRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError
from mamori.logs import api as logs_api
from mamori.logs import imports
from mamori.logs.cli import app as logs_cli
from mamori.logs.store import EventRow, LogImportRow
from mamori.worker import run_worker, tick
from tests.logs.factories import SOURCE, event


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    out = {}
    for name, role in (
        ("source", "log_source"),
        ("other_source", "log_source"),
        ("legal", "legal_officer"),
        ("specialist", "specialist"),
    ):
        user = auth.create_user(
            f"{name}@imports.test", name, [role], "a long enough password", db=db, at=at, by=Actor.system()
        )
        out[name] = auth.create_api_token(user, db=db, at=at, valid_for=None)
    db.flush()
    return out


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()


def _events(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(EventRow)) or 0)


def _post(client: Any, token: str, body: bytes, **params: str) -> Any:
    query = {"kind": "events", "format": "jsonl", "filename": "events.jsonl", **params}
    return client.post("/api/v1/logs/imports", params=query, content=body, headers=_h(token))


def test_the_api_answers_at_once_and_a_worker_stores_the_rows(
    client: Any, tokens: dict[str, str], db: Session, clock: FixedClock, session_factory: Any
) -> None:
    rows = [event(post_id=f"p{i}", port=1000 + i) for i in range(30)]
    answer = _post(client, tokens["source"], _jsonl(rows))
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["stored"] is None and queued["error"] is None
    assert answer.headers["location"] == queued["status_url"] == f"/api/v1/logs/imports/{queued['id']}"
    assert _events(db) == 0  # nothing is imported inside the request
    kept = db.get_one(LogImportRow, queued["id"])
    assert kept.upload is not None and b"203.0.113.45" not in kept.upload  # compressed and sealed

    report = tick(session_factory, client.app.state.settings, clock, queues=["imports"])
    assert report.results["logs.imports"] == {"done": 1}

    done = client.get(queued["status_url"], headers=_h(tokens["source"])).json()
    assert done["status"] == "done" and done["stored"] == 30 and done["attempts"] == 1 and done["finished_at"]
    assert _events(db) == 30
    db.expire_all()
    assert db.get_one(LogImportRow, queued["id"]).upload is None  # the file is deleted once imported
    actions = set(db.scalars(select(AuditRow.action).where(AuditRow.action.like("logs.%"))))
    assert {"logs.import_requested", "logs.ingested"} <= actions
    # a task run again (its worker died after the commit): nothing more is stored
    again = imports.run_import(
        queued["id"], factory=session_factory, settings=client.app.state.settings, clock=clock
    )
    assert again == "skipped" and _events(db) == 30


def test_a_bad_row_fails_the_import_naming_its_line_and_nothing_is_stored(
    client: Any, tokens: dict[str, str], db: Session, clock: FixedClock, session_factory: Any
) -> None:
    rows = [event(post_id="p1"), event(post_id="p2", ip="999.1.1.1"), event(post_id="p3")]
    queued = _post(client, tokens["source"], _jsonl(rows)).json()
    report = tick(session_factory, client.app.state.settings, clock, queues=["imports"])
    assert report.results["logs.imports"] == {"failed": 1}

    failed = client.get(queued["status_url"], headers=_h(tokens["source"])).json()
    assert failed["status"] == "failed" and failed["stored"] is None
    assert failed["error"]["code"] == "logs_bad_rows"
    assert failed["error"]["field"] == "events.jsonl:2 ip"
    assert "events.jsonl:2" in failed["error"]["message"]["ja"] and "IPv4" in failed["error"]["message"]["ja"]
    assert "events.jsonl:2" in failed["error"]["message"]["en"]
    assert "nothing was written" in failed["error"]["message"]["en"]
    assert _events(db) == 0
    db.expire_all()
    assert db.get_one(LogImportRow, queued["id"]).upload is None  # deleted once failed too
    report = tick(session_factory, client.app.state.settings, clock, queues=["imports"])
    assert report.results["logs.imports"] == {}  # a bad file is not retried


def test_an_import_whose_worker_died_is_taken_up_after_its_lease_and_stored_once(
    db: Session, clock: FixedClock, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    upload = imports.read_upload([_jsonl([event(post_id=f"p{i}") for i in range(5)])], 10_000)
    status = imports.request_import(
        "events", "jsonl", "ev.jsonl", upload, by=SOURCE, db=db, at=clock.now(), settings=settings
    )
    db.flush()
    # a worker claims it and is killed before it stores anything
    with transaction(session_factory) as tx:
        first = jobs.claim(tx, LogImportRow, status.id, now=clock.now(), lease=imports.LEASE)
    assert first == 1
    assert imports.run_import(status.id, factory=session_factory, settings=settings, clock=clock) == "skipped"
    assert _events(db) == 0

    later = FixedClock(clock.now() + imports.LEASE + dt.timedelta(seconds=1))
    report = tick(session_factory, settings, later, queues=["imports"])
    assert report.results["logs.imports"] == {"done": 1}
    assert _events(db) == 5
    # the killed worker's attempt can no longer record anything, and running again stores nothing more
    with transaction(session_factory) as tx:
        assert not jobs.settle(tx, LogImportRow, status.id, first, status="done")
    assert imports.run_import(status.id, factory=session_factory, settings=settings, clock=later) == "skipped"
    assert _events(db) == 5
    done = imports.import_status(status.id, by=SOURCE, db=db)
    assert done.status == "done" and done.rows == 5 and done.attempts == 2


def test_a_file_past_the_limit_is_refused_with_413_in_both_languages(
    tokens: dict[str, str],
    db: Session,
    settings: Settings,
    clock: FixedClock,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    limited = settings.model_copy(update={"logs_import_max_bytes": 2_000})
    app = create_app(limited, clock=clock, session_factory=session_factory)
    with TestClient(app) as client:
        answer = _post(client, tokens["source"], _jsonl([event(post_id=f"p{i}") for i in range(40)]))
        assert answer.status_code == 413, answer.text
        body = answer.json()
        assert body["error"] == "body_too_large"  # refused before a byte of it is read
        assert "上限" in body["message"]["ja"] and "limit" in body["message"]["en"]
        # sent without a length (chunked): counted as it streams in, refused the same way
        monkeypatch.setattr(logs_api, "STREAM_PIECE", 500)
        pieces = iter([_jsonl([event(post_id=f"p{i}")]) for i in range(40)])
        streamed = client.post(
            "/api/v1/logs/imports", params={"kind": "events"}, content=pieces, headers=_h(tokens["source"])
        )
        assert streamed.status_code == 413 and streamed.json()["error"] in (
            "body_too_large",
            "logs_import_too_large",
        )
        assert db.scalar(select(func.count()).select_from(LogImportRow)) == 0
        assert _post(client, tokens["source"], _jsonl([event()])).status_code == 202
    # the upload itself holds to the same limit (what the CLI's --queue goes through)
    with pytest.raises(DomainError) as refused:
        imports.read_upload([b"x" * 1_500, b"x" * 501], imports.max_bytes(limited))
    assert refused.value.code == "logs_import_too_large" and refused.value.status == 413
    assert imports.read_upload([b"x" * 2_000], imports.max_bytes(limited)).size == 2_000


def test_only_who_sent_an_import_or_a_legal_officer_sees_it(
    client: Any, tokens: dict[str, str], db: Session
) -> None:
    assert _post(client, tokens["specialist"], _jsonl([event()])).status_code == 403
    assert _post(client, tokens["source"], b"x", kind="posts").status_code == 422
    assert _post(client, tokens["source"], b"x", format="xml").status_code == 422
    assert _post(client, tokens["source"], b"").status_code == 422
    queued = _post(client, tokens["source"], _jsonl([event()])).json()
    url = queued["status_url"]
    assert client.get(url, headers=_h(tokens["source"])).status_code == 200
    assert client.get(url, headers=_h(tokens["legal"])).status_code == 200
    assert client.get(url, headers=_h(tokens["other_source"])).status_code == 404  # not theirs
    assert client.get(url, headers=_h(tokens["specialist"])).status_code == 403
    missing = client.get("/api/v1/logs/imports/" + "0" * 32, headers=_h(tokens["source"]))
    assert missing.status_code == 404
    with pytest.raises(Exception, match="forbidden"):
        imports.import_status(queued["id"], by=Actor("user:x", frozenset({"specialist"})), db=db)


def test_the_cli_queues_a_file_and_reports_its_status(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with transaction(factory) as db:
        auth.create_user("legal@imports.test", "l", ["legal_officer"], "a long enough password", db=db, at=at,
                         by=Actor.system())  # fmt: skip
    path = tmp_path / "events.jsonl"
    path.write_bytes(_jsonl([event(post_id=f"p{i}") for i in range(12)]))
    runner = CliRunner()
    queued = runner.invoke(
        logs_cli, ["import", str(path), "--kind", "events", "--as", "legal@imports.test", "--queue"]
    )
    assert queued.exit_code == 0, queued.output
    import_id = queued.output.strip()
    waiting = runner.invoke(logs_cli, ["import-status", import_id, "--as", "legal@imports.test"])
    assert waiting.exit_code == 3 and waiting.output.startswith("queued"), waiting.output

    settings = Settings(database_url=fresh_database_url, env="test")
    result = imports.run_import(import_id, factory=factory, settings=settings, clock=FixedClock(at))
    assert result == "done"
    done = runner.invoke(logs_cli, ["import-status", import_id, "--as", "legal@imports.test"])
    assert done.exit_code == 0, done.output
    assert "imported 12 events row(s) from events.jsonl" in done.output
    with transaction(factory) as db:
        assert db.scalar(select(func.count()).select_from(EventRow)) == 12
    engine.dispose()


def test_the_import_and_its_job_are_queued_in_the_askers_transaction(
    db: Session, clock: FixedClock, settings: Settings
) -> None:
    """PostgreSQL: a procrastinate job starts a worker at once. SQLite: the scheduled job finds the row."""
    postgres = db.get_bind().dialect.name == "postgresql"
    outer = db.begin_nested()
    upload = imports.read_upload([_jsonl([event()])], 10_000)
    status = imports.request_import(
        "events", "jsonl", "ev.jsonl", upload, by=SOURCE, db=db, at=clock.now(), settings=settings
    )
    assert imports.waiting(db, now=clock.now()) == [status.id]
    if postgres:
        found = db.execute(
            text(
                "SELECT queue_name, args->>'import_id' FROM procrastinate_jobs WHERE task_name = 'logs.import'"
            )
        ).all()
        assert [tuple(j) for j in found] == [("imports", status.id)]
    outer.rollback()  # the asker's transaction fails: neither the import nor its job remains
    assert db.get(LogImportRow, status.id) is None
    if postgres:
        assert db.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar() == 0


def test_a_worker_on_the_imports_queue_stores_a_queued_file(fresh_database_url: str, tmp_path: Path) -> None:
    """On PostgreSQL this is procrastinate (the deferred task, LISTEN/NOTIFY); on SQLite the loop."""
    settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path / "data")
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    try:
        with transaction(factory) as db:
            upload = imports.read_upload([_jsonl([event(post_id=f"p{i}") for i in range(7)])], 10_000)
            status = imports.request_import(
                "events", "jsonl", "ev.jsonl", upload, by=SOURCE, db=db,
                at=dt.datetime.now(dt.UTC), settings=settings,
            )  # fmt: skip
        stop = threading.Event()
        worker = threading.Thread(
            target=run_worker,
            args=(settings,),
            kwargs={"queues": ["imports"], "stop": stop, "in_thread": True},
        )
        worker.start()
        try:
            deadline = time.monotonic() + 20
            state = "queued"
            while state != "done" and time.monotonic() < deadline:
                time.sleep(0.3)
                with transaction(factory) as db:
                    state = imports.import_status(status.id, by=SOURCE, db=db).status
        finally:
            stop.set()
            worker.join(timeout=40)
        assert state == "done"
        with transaction(factory) as db:
            assert db.scalar(select(func.count()).select_from(EventRow)) == 7
    finally:
        engine.dispose()
