"""`mamori disclosure …` as a legal officer (--as), and nothing of the poster or the requester readable
in a raw dump of the disclosure tables (or of the whole SQLite file)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.cli import app
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.disclosure import service, store
from tests.disclosure.support import LEGAL, POSTER_EMAIL, REQUESTER_ADDRESS, request_body, seed_poster_logs
from tests.factories import make_staff

NOW = dt.datetime(2026, 4, 13, 10, 0, tzinfo=JST)
TABLES = ("disclosure_matters", "disclosure_steps", "disclosure_hearings", "disclosure_productions")


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_DATA_DIR", str(tmp_path / "data"))
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        make_staff(db, ["legal_officer"], "legal@example.com")
        make_staff(db, ["specialist"], "spec@example.com")
    engine.dispose()
    return CliRunner()


def test_a_legal_officer_registers_orders_and_providers_from_the_command_line(runner: CliRunner) -> None:
    added = runner.invoke(
        app,
        [
            "disclosure",
            "providers",
            "add",
            "サンプル光",
            "--address",
            "東京都港区1-1",
            "--range",
            "203.0.113.0/24",
            "--range",
            "2001:db8::/32",
            "--as",
            "legal@example.com",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["disclosure", "providers", "list", "--as", "legal@example.com"])
    assert "サンプル光" in listed.output and "2001:db8::/32" in listed.output
    order = runner.invoke(
        app,
        [
            "disclosure",
            "order",
            "add",
            "--as",
            "legal@example.com",
            "--kind",
            "preservation_order",
            "--court",
            "東京地方裁判所",
            "--case-number",
            "令和8年(ヨ)第5号",
            "--served-at",
            "2026-04-10T15:00:00+09:00",
            "--account-id",
            "acct-1001",
        ],
    )
    assert order.exit_code == 0, order.output
    assert "logs held" in order.output
    queue = runner.invoke(app, ["disclosure", "queue", "--as", "legal@example.com"])
    assert "preservation_order" in queue.output and "Logs held until the case ends" in queue.output


def test_the_command_line_refuses_bad_input_and_other_roles_with_exit_2(runner: CliRunner) -> None:
    bad = runner.invoke(
        app,
        [
            "disclosure",
            "order",
            "add",
            "--as",
            "legal@example.com",
            "--kind",
            "disclosure_order",
            "--court",
            "",
            "--case-number",
            "1",
            "--served-at",
            "yesterday",
        ],
    )
    assert bad.exit_code == 2
    assert "court" in bad.output and "served_at" in bad.output and "裁判所を入力してください" in bad.output
    refused = runner.invoke(
        app,
        [
            "disclosure",
            "order",
            "add",
            "--as",
            "spec@example.com",
            "--kind",
            "preservation_order",
            "--court",
            "c",
            "--case-number",
            "1",
            "--served-at",
            "2026-04-10T15:00:00+09:00",
            "--account-id",
            "a",
        ],
    )
    assert refused.exit_code == 2 and "You may not do this." in refused.output
    queue = runner.invoke(app, ["disclosure", "queue", "--as", "legal@example.com"])
    assert queue.output.strip() == ""


def test_a_package_file_verifies_from_the_command_line(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "p.json"
    good.write_text(
        json.dumps({"package": {"a": 1}, "signature": {"public_key": "AAAA", "signature": "AAAA"}})
    )
    result = runner.invoke(app, ["disclosure", "verify", str(good)])
    assert result.exit_code == 1 and "does not match" in result.output


def test_no_personal_data_in_a_raw_dump_of_the_disclosure_tables(
    fresh_database_url: str, settings: Settings
) -> None:
    settings = settings.model_copy(update={"database_url": fresh_database_url})
    engine = make_engine(fresh_database_url)
    try:
        with transaction(make_sessionmaker(engine)) as db:
            seed_poster_logs(db, settings, NOW)
            service.submit_request(request_body(), db=db, settings=settings, at=NOW, by=LEGAL)
            service.register_order(
                {
                    "kind": "provision_order",
                    "court": "東京地方裁判所",
                    "case_number": "1",
                    "served_at": NOW.isoformat(),
                    "ip": "203.0.113.45",
                    "port": 50123,
                    "sent_at": NOW.isoformat(),
                },
                db=db,
                settings=settings,
                at=NOW,
                by=LEGAL,
            )
        secrets = (
            "203.0.113.45",
            REQUESTER_ADDRESS,
            "hanako@example.jp",
            POSTER_EMAIL,
            "acct-1001",
            "山田 花子",
        )
        with engine.connect() as conn:
            dump = "".join(
                str(row) for table in TABLES for row in conn.execute(text(f"SELECT * FROM {table}"))
            )
        assert "DR-" in dump  # the rows are there
        assert [s for s in secrets if s in dump] == []
        if fresh_database_url.startswith("sqlite"):
            raw = Path(fresh_database_url.removeprefix("sqlite:///")).read_bytes()
            assert [s for s in secrets if s.encode() in raw] == []
    finally:
        engine.dispose()


def test_demo_data_loads_once_with_one_order_of_each_kind(db: Session, settings: Settings) -> None:
    from mamori.disclosure import demo_data

    lines = demo_data.load_demo(db, at=NOW, settings=settings)
    assert "【デモ】" in lines[0]
    kinds = sorted(m.kind for m in store.matters(db, open_only=True))
    assert kinds == ["disclosure_order", "preservation_order", "provision_order"]
    assert "already" in demo_data.load_demo(db, at=NOW, settings=settings)[0]
