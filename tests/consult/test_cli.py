"""`mamori consult ...` commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.consult.catalogue import DATA_DIR
from mamori.consult.cli import app
from mamori.migrations import upgrade


def test_check_data_passes_on_the_packaged_files() -> None:
    result = CliRunner().invoke(app, ["check-data"])
    assert result.exit_code == 0 and "13 paths" in result.output


def test_check_data_names_file_and_line_of_a_bad_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    tree = folder / "tree.yaml"
    tree.write_text(
        tree.read_text(encoding="utf-8").replace("next: sia\n", "next: nowhere\n"), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["check-data", "--folder", str(folder)])
    assert (
        result.exit_code == 1 and "tree.yaml:" in result.output and "unknown node 'nowhere'" in result.output
    )


def test_tree_prints_every_path_in_english() -> None:
    result = CliRunner().invoke(app, ["tree", "--lang", "en"])
    assert result.exit_code == 0 and len(result.output.strip().splitlines()) == 13
    assert "Abuse Hotline" in result.output


def test_stats_and_erase_run_on_an_empty_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url)
    monkeypatch.setenv("MAMORI_DATABASE_URL", url)
    assert '"total": 0' in CliRunner().invoke(app, ["stats"]).output
    assert (
        "0 consultation(s) older than 30 days"
        in CliRunner().invoke(app, ["erase-expired", "--retention-days", "30"]).output
    )
