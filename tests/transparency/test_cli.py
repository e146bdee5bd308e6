"""`mamori report`: the yearly report in each format, the self-evaluation, publication, and the
statements of reasons as JSON Lines, against a real database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from mamori.cli import app
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.criteria.model import Measure
from mamori.transparency import model, render, store
from tests.factories import make_criteria, make_service, make_staff
from tests.transparency.support import Builder, jst


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    return CliRunner()


def test_report_commands(
    runner: CliRunner, fresh_database_url: str, settings: Settings, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    settings = settings.model_copy(update={"database_url": fresh_database_url})
    clock = FixedClock(jst(2025, 6, 1, 9))
    with transaction(factory) as db:
        make_service(db, "board")
        make_criteria(db, published=jst(2025, 4, 1))
        specialist, _token = make_staff(db, ["specialist"], "sp@cli.example")
        make_staff(db, ["legal_officer"], "legal@cli.example")
        make_staff(db, ["auditor"], "auditor@cli.example")
        b = Builder(db, settings, clock, factory)
        removed = b.file(jst(2025, 6, 1, 9), rights=["プライバシー"])
        kept = b.file(jst(2025, 6, 2, 9))
        b.decide(removed, jst(2025, 6, 3, 9), Measure.REMOVE, specialist.actor())
        b.decide(kept, jst(2025, 6, 3, 10), Measure.NO_ACTION, specialist.actor())

    as_json = runner.invoke(app, ["report", "yearly", "--year", "2025", "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    figures = json.loads(as_json.stdout)
    jsonschema.validate(figures, render.schema())
    assert figures["requests"]["total"] == 2 and figures["art25_notices"]["by_kind"]["removed"] == 1
    assert figures["art25_notices"]["by_kind_and_right"]["removed"]["プライバシー"] == 1
    out = tmp_path / "r.csv"
    assert (
        runner.invoke(
            app, ["report", "yearly", "--year", "2025", "--format", "csv", "--out", str(out)]
        ).exit_code
        == 0
    )
    rows = dict(csv.reader(out.open(encoding="utf-8")))
    assert rows["art27_notices.by_measure.remove"] == "1"
    pdf = tmp_path / "r.pdf"
    made = runner.invoke(
        app, ["report", "yearly", "--year", "2025", "--format", "pdf", "--out", str(pdf), "--lang", "en"]
    )
    assert made.exit_code == 0, made.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert runner.invoke(app, ["report", "yearly", "--year", "2025", "--format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["report", "yearly", "--year", "2025", "--format", "doc"]).exit_code == 2
    assert runner.invoke(app, ["report", "yearly", "--year", "1999"]).exit_code == 2

    evaluation = tmp_path / "eval.txt"
    evaluation.write_text("全件を期間内に通知できた。", encoding="utf-8")
    refused = runner.invoke(
        app, ["report", "evaluate", "--year", "2025", "--ja", str(evaluation), "--as", "auditor@cli.example"]
    )
    assert refused.exit_code == 2
    saved = runner.invoke(
        app, ["report", "evaluate", "--year", "2025", "--ja", str(evaluation), "--as", "legal@cli.example"]
    )
    assert saved.exit_code == 0, saved.output
    published = runner.invoke(app, ["report", "publish", "--year", "2025", "--as", "legal@cli.example"])
    assert published.exit_code == 0, published.output
    assert "2025 report edition 1 published" in published.output
    unchanged = runner.invoke(app, ["report", "publish", "--year", "2025", "--as", "legal@cli.example"])
    assert unchanged.exit_code == 2 and "nothing to correct" in unchanged.output

    lines = tmp_path / "sor.jsonl"
    exported = runner.invoke(
        app, ["report", "statements", "--from", "2025-04-01", "--to", "2026-03-31", "--out", str(lines)]
    )
    assert exported.exit_code == 0, exported.output
    statements = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert len(statements) == 1 and model.statement_errors(statements[0]) == []
    assert statements[0]["category"] == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"

    with transaction(factory) as db:
        editions = store.editions(db, 2025)
        assert (
            len(editions) == 1
            and json.loads(editions[0].figures)["self_evaluation"]["ja"] == "全件を期間内に通知できた。"
        )
    engine.dispose()
