"""`mamori drafting`: outputs from a JSON file; bad input gives clear messages, exit 2, and no file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mamori.drafting.cli import app
from tests.drafting.factories import deletion_data, disclosure_data

runner = CliRunner()


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_deletion_writes_pdf_and_text(tmp_path: Path) -> None:
    source = write(tmp_path / "d.json", deletion_data())
    result = runner.invoke(
        app,
        [
            "deletion",
            "--in",
            str(source),
            "--pdf",
            str(tmp_path / "d.pdf"),
            "--text",
            str(tmp_path / "d.txt"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF-")
    assert "侵害情報の通知書" in (tmp_path / "d.txt").read_text(encoding="utf-8")
    assert not list(tmp_path.glob(".*.part"))


def test_disclosure_with_problems_exits_non_zero_and_writes_nothing(tmp_path: Path) -> None:
    source = write(tmp_path / "x.json", disclosure_data(clear_reason="", items=[]))
    result = runner.invoke(
        app,
        [
            "disclosure",
            "--in",
            str(source),
            "--pdf",
            str(tmp_path / "x.pdf"),
            "--text",
            str(tmp_path / "x.txt"),
        ],
    )
    assert result.exit_code == 2
    assert "clear_reason" in result.output and "items" in result.output
    assert "権利侵害が明らかである理由" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json"]


def test_unreadable_json_is_named(tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text("{not json", encoding="utf-8")
    result = runner.invoke(app, ["deletion", "--in", str(source), "--text", str(tmp_path / "o.txt")])
    assert result.exit_code == 2 and "not valid JSON" in result.output
    assert not (tmp_path / "o.txt").exists()


def test_an_existing_output_survives_a_failed_run(tmp_path: Path) -> None:
    (tmp_path / "o.txt").write_text("earlier draft", encoding="utf-8")
    source = write(tmp_path / "d.json", deletion_data(declaration_true=False))
    result = runner.invoke(app, ["deletion", "--in", str(source), "--text", str(tmp_path / "o.txt")])
    assert result.exit_code == 2 and "declaration_true" in result.output
    assert (tmp_path / "o.txt").read_text(encoding="utf-8") == "earlier draft"


def test_example_is_a_valid_starting_point(tmp_path: Path) -> None:
    result = runner.invoke(app, ["example", "disclosure"])
    assert result.exit_code == 0
    source = write(tmp_path / "e.json", json.loads(result.output))
    done = runner.invoke(app, ["disclosure", "--in", str(source), "--text", str(tmp_path / "e.txt")])
    assert done.exit_code == 0, done.output
