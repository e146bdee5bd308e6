"""The `mamori` command for the platform core: criteria from a file, the clock, decisions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mamori.cli import app
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.criteria.store import CriteriaVersionRow
from mamori.notices.store import NoticeRow
from mamori.requests import service
from tests.factories import make_service, make_staff

CRITERIA = """
version: "2026.4"
effective_from: 2026-04-01T00:00:00+09:00
clauses:
  - code: "1.1"
    title_ja: 他人の社会的評価を低下させる投稿
    title_en: Posts lowering a person's social standing
    text_ja: 事実を摘示し社会的評価を低下させる投稿は削除します。
    text_en: We remove posts that state facts lowering a person's standing.
    applies_to: [request, own_detection]
    measures: [remove, restrict_visibility]
"""


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    return CliRunner()


def test_criteria_load_refuses_a_bad_file_naming_the_field_and_writes_nothing(
    runner: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        CRITERIA.replace("measures: [remove, restrict_visibility]", "measures: [delete_everything]")
    )
    result = runner.invoke(app, ["criteria", "load", str(bad), "--as", "legal@example.com", "--publish"])
    assert result.exit_code == 2
    assert "clauses.0.measures.0" in result.output
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        assert db.scalars(select(CriteriaVersionRow)).all() == []
    engine.dispose()


def test_criteria_load_and_publish_then_list(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "criteria.yaml"
    good.write_text(CRITERIA)
    loaded = runner.invoke(app, ["criteria", "load", str(good), "--as", "legal@example.com", "--publish"])
    assert loaded.exit_code == 0, loaded.output
    listed = runner.invoke(app, ["criteria", "list"])
    assert "2026.4" in listed.output and "1.1" in listed.output


def test_due_exits_non_zero_while_a_case_is_overdue_and_decide_queues_the_notices(
    runner: CliRunner, fresh_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    settings = Settings(database_url=fresh_database_url)
    long_ago = dt.datetime(2025, 1, 6, 12, tzinfo=JST)
    with transaction(factory) as db:
        make_service(db)
        make_staff(db, ["specialist"], "sp@example.com")
        receipt = service.file_request(
            service.RequestForm(
                service="test-board",
                content_url="https://board.example/1",
                content_text="本文",
                rights=["名誉権"],
                reason="社会的評価が下がったためです。",
                requester=service.Requester("申出者", "東京都", "r@example.com", "03-0000-0000"),
                show_name_to_poster=False,
                declaration_true=True,
            ),
            db=db,
            settings=settings,
            at=long_ago,
            by=Actor("public:test"),
        )
    due = runner.invoke(app, ["cases", "due"])
    assert due.exit_code == 1 and "overdue" in due.output and receipt.receipt_number in due.output
    decided = runner.invoke(
        app,
        [
            "cases",
            "decide",
            receipt.case_id,
            "--measure",
            "no_action",
            "--criteria",
            "2026.4",
            "--reason",
            "批判の範囲内であり権利侵害は明白でない。",
            "--as",
            "sp@example.com",
        ],
    )
    assert (
        decided.exit_code == 2 and "2026.4" in decided.output
    )  # no such criteria yet: refused, nothing written
    (tmp_path / "c.yaml").write_text(CRITERIA)
    runner.invoke(
        app, ["criteria", "load", str(tmp_path / "c.yaml"), "--as", "legal@example.com", "--publish"]
    )
    decided = runner.invoke(
        app,
        [
            "cases",
            "decide",
            receipt.case_id,
            "--measure",
            "no_action",
            "--criteria",
            "2026.4",
            "--reason",
            "批判の範囲内であり権利侵害は明白でない。",
            "--as",
            "sp@example.com",
        ],
    )
    assert decided.exit_code == 0, decided.output
    with transaction(factory) as db:
        kinds = sorted(
            n.kind for n in db.scalars(select(NoticeRow).where(NoticeRow.case_id == receipt.case_id))
        )
    assert kinds == ["receipt", "requester_decision"]
    assert runner.invoke(app, ["cases", "due"]).exit_code == 0
    engine.dispose()
