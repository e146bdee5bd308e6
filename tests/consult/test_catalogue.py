"""Bad data files are refused with the file and the line, never served half-broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mamori.consult.catalogue import DATA_DIR, ConsultDataError, load_map


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


def _replace(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_the_packaged_files_load(data: Path) -> None:
    assert load_map(data).tree.start == "danger"


def test_a_missing_body_is_refused_naming_file_and_line(data: Path) -> None:
    line = _replace(data / "tree.yaml", "recommend: [sia-hotline]", "recommend: [no-such-body]")
    with pytest.raises(ConsultDataError) as caught:
        load_map(data)
    assert caught.value.path.name == "tree.yaml" and caught.value.line == line
    assert "unknown body 'no-such-body'" in str(caught.value)
    assert f"tree.yaml:{line}:" in str(caught.value)


def test_a_broken_link_to_a_node_is_refused_naming_file_and_line(data: Path) -> None:
    _replace(data / "tree.yaml", "next: moj\n", "next: mojj\n")
    with pytest.raises(ConsultDataError, match="unknown node 'mojj'") as caught:
        load_map(data)
    text = (data / "tree.yaml").read_text(encoding="utf-8").splitlines()
    assert "- id: public" in text[caught.value.line - 1]


def test_a_body_deleted_from_bodies_yaml_is_refused(data: Path) -> None:
    _replace(data / "bodies.yaml", "  ihaho-center:\n", "  ihaho-centre:\n")
    with pytest.raises(ConsultDataError, match="unknown body 'ihaho-center'"):
        load_map(data)


def test_a_text_without_english_is_refused(data: Path) -> None:
    line = _replace(
        data / "bodies.yaml",
        "prepare: {ja: 今いる場所と、何が起きているか。, en: Where you are and what is happening.}",
        "prepare: {ja: 今いる場所}",
    )
    with pytest.raises(ConsultDataError, match="'en' must be a non-empty text") as caught:
        load_map(data)
    assert caught.value.line == line


def test_an_undated_service_guide_is_refused(data: Path) -> None:
    text = (data / "services.yaml").read_text(encoding="utf-8")
    (data / "services.yaml").write_text(text.replace("    checked: 2026-11-23\n", "", 1), encoding="utf-8")
    with pytest.raises(ConsultDataError, match="'checked' must be a date"):
        load_map(data)


def test_a_cycle_is_refused(data: Path) -> None:
    _replace(data / "tree.yaml", "next: who\n", "next: delete_how\n")
    with pytest.raises(ConsultDataError, match=r"cycle: .*delete_how → delete_how"):
        load_map(data)


def test_broken_yaml_is_refused_with_its_line(data: Path) -> None:
    path = data / "services.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[10] = "  x: [unclosed"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ConsultDataError, match="not valid YAML") as caught:
        load_map(data)
    assert caught.value.line >= 11


def test_the_app_refuses_to_start_on_a_bad_file(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from mamori.consult import api, catalogue

    _replace(data / "bodies.yaml", "  sia-hotline:\n", "  sia-hotlin:\n")
    monkeypatch.setattr(catalogue, "DATA_DIR", data)
    catalogue.consult_map.cache_clear()
    monkeypatch.setattr(catalogue, "consult_map", lambda: catalogue.load_map(data))
    try:
        with pytest.raises(ConsultDataError, match=r"tree.yaml:.*unknown body 'sia-hotline'"):
            importlib.reload(api)
    finally:
        monkeypatch.undo()
        catalogue.consult_map.cache_clear()
        importlib.reload(api)
