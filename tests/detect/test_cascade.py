"""The stream cascade: a cheap gate holds back harmless posts; the full model reads the rest."""

from __future__ import annotations

import copy
from pathlib import Path

from mamori.detect import service
from mamori.detect.classifier import Detector
from mamori.detect.model import Category, Notice


def test_the_shipped_model_has_a_gate() -> None:
    assert service.detector().gate is not None


HARMLESS = [
    "今日はいい天気ですね",
    "明日の会議は十時からです",
    "駅前の桜がきれいに咲いていました",
    "週末は家族で動物園に行く予定です",
    "この本、とても読みやすくておすすめです",
    "雨が降りそうなので傘を持って出かけます",
]


def test_the_gate_holds_back_at_least_half_of_plain_harmless_posts_and_flags_none() -> None:
    results = service.screen_texts(HARMLESS)
    screened = [r for r in results if Notice.SCREENED in r.notices]
    assert len(screened) >= len(HARMLESS) // 2
    for result in screened:
        assert result.flags == [] and result.spans == []
        assert 0.0 <= result.scores[Category.ABUSE] < 0.5


def test_attacks_pass_the_gate_and_get_the_full_models_result() -> None:
    texts = ["お前みたいなクズは死ね", "夜道に気をつけろよ、家まで行くからな", "あいつは前科者の詐欺師だ"]
    screened = service.screen_texts(texts)
    full = service.score_texts(texts)
    for s, f in zip(screened, full, strict=True):
        assert Notice.SCREENED not in s.notices
        assert s.flags == f.flags and s.scores == f.scores
    assert Category.THREAT in screened[1].flags


def test_personal_data_always_reaches_the_privacy_rules() -> None:
    [result] = service.screen_texts(["山田さんの電話番号は090-1234-5678です"])
    assert Notice.SCREENED not in result.notices
    assert Category.PRIVACY in result.flags


def test_empty_posts_are_answered_without_the_screened_notice() -> None:
    [result] = service.screen_texts([""])
    assert result.notices == [Notice.EMPTY]


def test_a_gate_from_before_the_n_gram_keys_is_dropped_on_load(tmp_path: Path) -> None:
    detector = service.detector()
    old = copy.deepcopy(detector)
    assert old.gate is not None
    del old.gate.__dict__["bits"]  # as pickled before the gate read n-gram keys
    old.save(tmp_path / "old.joblib")
    loaded = Detector.load(tmp_path / "old.joblib")
    assert loaded.gate is None
    [result] = loaded.screen(["今日はいい天気ですね"])
    assert Notice.SCREENED not in result.notices
