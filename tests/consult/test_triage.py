"""Rights suggested from "what happened?": the abuse detection when installed, nothing when it is not."""

from __future__ import annotations

import sys
import types

import pytest

from mamori.consult.triage import suggest_rights_for


def test_without_the_abuse_detection_nothing_is_suggested(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mamori.detect.service", None)  # import raises ModuleNotFoundError
    suggestion = suggest_rights_for("死ね")
    assert suggestion.rights == () and suggestion.available is False


def test_the_detections_rights_are_labelled_in_each_language(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("mamori.detect.service")
    fake.score_text = lambda text: {"text": text}  # type: ignore[attr-defined]
    fake.suggest_rights = lambda result: ["名誉感情", "名誉権", "名誉感情"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mamori.detect.service", fake)
    suggestion = suggest_rights_for("バカ")
    assert suggestion.rights == ("名誉感情", "名誉権")
    assert suggestion.labels("en") == ["Honour / dignity (insult)", "Right to reputation (defamation)"]
    assert suggestion.labels("ja-easy") == ["めいよかんじょう", "めいよけん"]


def test_a_failing_detection_does_not_stop_the_person(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("mamori.detect.service")

    def broken(text: str) -> None:
        raise RuntimeError("model missing")

    fake.score_text = broken  # type: ignore[attr-defined]
    fake.suggest_rights = lambda result: []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mamori.detect.service", fake)
    assert suggest_rights_for("バカ").available is False


def test_empty_text_needs_no_detection() -> None:
    assert suggest_rights_for("   ").rights == ()
