"""`mamori logs ...`: a file import streamed and validated (file:line, nothing written on a bad row),
lookups, holds and the purge, acting as a staff account (--as)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.logs.cli import app
from mamori.logs.store import AssignmentRow, EventRow
from tests.logs.factories import assignment, event

LEGAL = "legal@logs.test"
SPECIALIST = "spec@logs.test"


@pytest.fixture
def database(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        for email, role in ((LEGAL, "legal_officer"), (SPECIALIST, "specialist")):
            auth.create_user(email, role, [role], "a long enough password", db=db, at=at, by=Actor.system())
    engine.dispose()
    return fresh_database_url


def _count(url: str, table: type) -> int:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        n = int(db.scalar(select(func.count()).select_from(table)) or 0)
    engine.dispose()
    return n


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_import_then_look_up(database: str, tmp_path: Path) -> None:
    rows = [event(post_id=f"p{i}", port=1000 + i) for i in range(25)]
    result = CliRunner().invoke(
        app, ["import", str(_jsonl(tmp_path / "ev.jsonl", rows)), "--kind", "events", "--as", LEGAL]
    )
    assert result.exit_code == 0, result.output
    assert "imported 25 events" in result.output
    listed = CliRunner().invoke(
        app,
        [
            "events",
            "acct-1001",
            "--start",
            "2026-04-01T00:00:00+09:00",
            "--end",
            "2026-04-02T00:00:00+09:00",
            "--as",
            LEGAL,
        ],
    )
    assert listed.exit_code == 0 and listed.output.count("203.0.113.45") == 25


def test_a_csv_of_assignments_and_the_lookup(database: str, tmp_path: Path) -> None:
    path = tmp_path / "assign.csv"
    path.write_text(
        "subscriber_id,ip,port_start,port_end,start,end\n"
        "sub-A,100.64.0.1,1024,2047,2026-04-01T00:00:00+09:00,2026-04-02T00:00:00+09:00\n"
        "sub-B,100.64.0.1,2048,3071,2026-04-01T00:00:00+09:00,\n",
        encoding="utf-8",
    )
    assert (
        CliRunner().invoke(app, ["import", str(path), "--kind", "assignments", "--as", LEGAL]).exit_code == 0
    )
    held = CliRunner().invoke(
        app,
        [
            "lookup",
            "--ip",
            "100.64.0.1",
            "--port",
            "2100",
            "--at",
            "2026-04-01T12:00:00+09:00",
            "--as",
            LEGAL,
        ],
    )
    assert held.exit_code == 0 and held.output.startswith("held\tsub-B")
    shared = CliRunner().invoke(
        app, ["lookup", "--ip", "100.64.0.1", "--at", "2026-04-01T12:00:00+09:00", "--as", LEGAL]
    )
    assert shared.output.startswith("ambiguous\t-\tcandidates=2")
    refused = CliRunner().invoke(
        app, ["lookup", "--ip", "100.64.0.1", "--at", "2026-04-01T12:00:00+09:00", "--as", SPECIALIST]
    )
    assert refused.exit_code == 2 and "legal officer" in refused.output


def test_a_bad_row_names_file_and_line_and_nothing_is_written(database: str, tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        event(post_id=f"p{i}") for i in range(12_000)
    ]  # more than one COPY batch
    rows[11_500] = event(occurred_at="yesterday")
    path = _jsonl(tmp_path / "big.jsonl", rows)
    result = CliRunner().invoke(app, ["import", str(path), "--kind", "events", "--as", LEGAL])
    assert result.exit_code == 2
    assert "big.jsonl:11501 occurred_at" in result.output and "2026-12-01T09:30:15+09:00" in result.output
    assert _count(database, EventRow) == 0


def test_a_csv_row_with_a_bad_port_is_named(database: str, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "subscriber_id,ip,port_start,port_end,start,end\n"
        "sub-A,100.64.0.1,1024,2047,2026-04-01T00:00:00+09:00,\n"
        "sub-B,100.64.0.1,2048,99999,2026-04-01T00:00:00+09:00,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["import", str(path), "--kind", "assignments", "--as", LEGAL])
    assert result.exit_code == 2 and "a.csv:3 port_end" in result.output
    assert _count(database, AssignmentRow) == 0


def test_only_ingesting_roles_import(database: str, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "ev.jsonl", [event()])
    result = CliRunner().invoke(app, ["import", str(path), "--kind", "events", "--as", SPECIALIST])
    assert result.exit_code == 2 and _count(database, EventRow) == 0


def test_holds_and_purge_from_the_command_line(database: str, tmp_path: Path) -> None:
    old = [
        event(occurred_at="2020-01-01T00:00:00+09:00", post_id="ancient"),
        event(account_id="other", occurred_at="2020-01-01T00:00:00+09:00", post_id="gone"),
    ]
    CliRunner().invoke(
        app, ["import", str(_jsonl(tmp_path / "old.jsonl", old)), "--kind", "events", "--as", LEGAL]
    )
    added = CliRunner().invoke(
        app,
        [
            "hold",
            "add",
            "--basis",
            "erasure_order",
            "--reference",
            "令和8年(発チ)第9号",
            "--account",
            "acct-1001",
            "--as",
            LEGAL,
        ],
    )
    assert added.exit_code == 0, added.output
    hold_id = added.output.strip()
    listed = CliRunner().invoke(app, ["holds", "--as", LEGAL])
    assert hold_id in listed.output and "acct-1001" in listed.output

    purged = CliRunner().invoke(app, ["purge"])
    assert purged.output.strip() == "events=1 holders=0 assignments=0"

    released = CliRunner().invoke(app, ["hold", "release", hold_id, "--reason", "事件終了", "--as", LEGAL])
    assert released.exit_code == 0
    assert CliRunner().invoke(app, ["purge"]).output.strip() == "events=1 holders=0 assignments=0"
    assert _count(database, EventRow) == 0


def test_rotate_keys_and_new_key(database: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    first = CliRunner().invoke(app, ["new-key", "--id", "k1"]).output.strip()
    second = CliRunner().invoke(app, ["new-key", "--id", "k2"]).output.strip()
    assert first.startswith("k1:") and first != second
    monkeypatch.setenv("MAMORI_LOGS_KEYS", first)
    CliRunner().invoke(
        app,
        ["import", str(_jsonl(tmp_path / "a.jsonl", [assignment()])), "--kind", "assignments", "--as", LEGAL],
    )
    monkeypatch.setenv("MAMORI_LOGS_KEYS", f"{second},{first}")
    rotated = CliRunner().invoke(app, ["rotate-keys", "--batch", "1"])
    assert rotated.exit_code == 0 and "re-wrapped 2 key(s); 0 remain" in rotated.output
    monkeypatch.setenv("MAMORI_LOGS_KEYS", second)
    held = CliRunner().invoke(
        app, ["lookup", "--ip", "198.51.100.7", "--at", "2026-04-01T10:00:00+09:00", "--as", LEGAL]
    )
    assert held.output.startswith("held\tsub-A")
