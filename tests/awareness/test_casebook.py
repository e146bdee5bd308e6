"""The 事例集 as data: the served cases are valid, and a malformed file is refused with file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mamori.awareness.casebook import DATA_DIR, CaseDataError, find_cases, load_cases
from mamori.awareness.cli import app

GOOD = DATA_DIR / "group-chat-insults.yaml"


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    text = GOOD.read_text(encoding="utf-8")
    assert old in text
    (folder / GOOD.name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def line_of(folder: Path, needle: str) -> int:
    lines = (folder / GOOD.name).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_every_served_case_is_dated_sourced_and_bilingual() -> None:
    cases = load_cases()
    assert len(cases) >= 5
    for case in cases:
        assert case.source.publisher == "総務省" and case.source.title
        assert "事例集" in case.source.note.ja  # says plainly it is not the ministry's own text
        assert case.title.ja and case.title.en and case.title.easy
        assert case.help and case.prevention and case.checked >= case.written


def test_a_case_without_english_is_refused_with_file_and_line(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "  en: A group of second-year", "  fr: A group of second-year")
    with pytest.raises(CaseDataError) as caught:
        load_cases(folder)
    assert caught.value.path.name == GOOD.name
    assert caught.value.line == line_of(folder, "who:") + 1
    assert "unknown language" in str(caught.value)


def test_an_unknown_topic_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "topics: [bullying, defamation]", "topics: [bullying, gossip]")
    with pytest.raises(CaseDataError) as caught:
        load_cases(folder)
    assert caught.value.line == line_of(folder, "topics: [bullying, gossip]")
    assert "gossip" in caught.value.message


def test_a_case_without_a_source_is_refused(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "source:\n  title:", "origin:\n  title:")
    with pytest.raises(CaseDataError, match="unknown field"):
        load_cases(folder)


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "written: 2026-12-02", "written: [2026-12-02")
    with pytest.raises(CaseDataError) as caught:
        load_cases(folder)
    assert caught.value.line >= line_of(folder, "written: [")
    assert "not valid YAML" in caught.value.message


def test_the_check_command_reports_file_and_line(tmp_path: Path) -> None:
    folder = copy_with(tmp_path, "checked: 2026-12-02", "checked: soon")
    result = CliRunner().invoke(app, ["check", "--folder", str(folder)])
    assert result.exit_code == 1
    assert f"{GOOD.name}:" in result.output and "'checked' must be a date" in result.output
    good = tmp_path / "good"
    shutil.copytree(DATA_DIR, good)
    ok = CliRunner().invoke(app, ["check", "--folder", str(good)])
    assert ok.exit_code == 0 and "ok:" in ok.output


def test_cases_are_found_by_topic_age_group_and_words() -> None:
    cases = load_cases()
    privacy = find_cases(cases, topic="privacy")
    assert privacy and all("privacy" in c.topics for c in privacy)
    assert all("elementary" in c.age_groups for c in find_cases(cases, age_group="elementary"))
    assert [c.id for c in find_cases(cases, query="動画")] == ["fight-video-shared"]
    assert find_cases(cases, query="no such words at all") == []
