"""Bad input never crashes detection: lone surrogates, NUL, RTL overrides, 1 MB texts, empty strings,
and batches or bodies over the limits (a clear 413 or 422 on the API)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mamori.detect import service
from mamori.detect.api import MAX_BATCH
from mamori.detect.model import MAX_TEXT_CHARS, Category, Notice
from tests.detect.test_api import make_client

NASTY = [
    "",
    "   ",
    "\ud800",  # a lone surrogate (only reachable from Python, JSON \ud800, or broken decoders)
    "死ね\udfff",
    "お前\x00は\x00クズ",
    "\u202eクズ\u202c は右から読め",  # right-to-left override
    "\u2066殺す\u2069",
    "\ufeff\u200b\u200b",
    "あ" * (1024 * 1024),  # a 1 MB text
    "🙂" * 5000,
    "\n\n\t",
]


@pytest.mark.parametrize("call", ["score_texts", "screen_texts"])
def test_nasty_texts_get_a_result_each_through_the_full_model_and_the_cascade(call: str) -> None:
    results = getattr(service, call)(NASTY)
    assert len(results) == len(NASTY)
    for result in results:
        assert set(result.scores) == set(Category)
        assert all(0.0 <= v <= 1.0 for v in result.scores.values())
    assert results[0].notices == [Notice.EMPTY] and results[1].notices == [Notice.EMPTY]
    assert Notice.TRUNCATED in results[8].notices
    assert Notice.CONTROL_CHARACTERS in results[4].notices and Notice.CONTROL_CHARACTERS in results[5].notices


def test_control_characters_do_not_hide_an_insult_and_spans_point_into_the_original() -> None:
    text = "お前\x00は\x00クズ"
    result = service.score_text(text)
    assert Category.INSULT in result.flags
    assert any(text[s.start : s.end] == "クズ" for s in result.spans)


@pytest.mark.parametrize("text", NASTY)
def test_nudge_answers_any_draft(text: str) -> None:
    answer = service.nudge(text)
    assert answer.nudge in (True, False) and 0.0 <= answer.score <= 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=8))
def test_the_cascade_answers_any_batch_of_any_text(texts: list[str]) -> None:
    results = service.screen_texts(texts)
    assert len(results) == len(texts)
    for text, result in zip(texts, results, strict=True):
        assert all(0 <= s.start <= s.end <= len(text) for s in result.spans)


def test_a_body_over_the_size_limit_is_a_413_in_both_languages_before_parsing() -> None:
    client = make_client(max_body_bytes=64 * 1024)
    body = json.dumps({"texts": ["あ" * 30_000]}, ensure_ascii=False).encode()  # 90 KB
    answer = client.post("/api/v1/detect", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["error"] == "body_too_large" and answer.json()["message"]["ja"]


def test_a_one_megabyte_post_is_refused_not_scored() -> None:
    answer = make_client().post("/api/v1/detect", json={"texts": ["あ" * (1024 * 1024)]})
    assert answer.status_code == 413  # 3 MB of UTF-8: over MAMORI_MAX_BODY_BYTES
    answer = make_client().post("/api/v1/nudge", json={"text": "a" * (MAX_TEXT_CHARS + 1)})
    assert answer.status_code == 422


def test_a_batch_over_the_limit_is_a_422_naming_the_field() -> None:
    answer = make_client().post("/api/v1/detect", json={"texts": ["ok"] * (MAX_BATCH + 1)})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["field"] == "texts"


def test_an_empty_string_in_a_batch_is_answered_with_a_notice() -> None:
    answer = make_client().post("/api/v1/detect", json={"texts": ["", "今日は晴れ"]})
    assert answer.status_code == 200
    assert answer.json()["results"][0]["notices"][0]["code"] == "empty"


def test_nul_and_rtl_override_in_the_api_are_a_clear_422_naming_the_post() -> None:
    client = make_client()
    for raw in (b'{"texts": ["ok", "a\\u0000b"]}', b'{"texts": ["ok", "\\u202e\\u30af\\u30ba"]}'):
        answer = client.post("/api/v1/detect", content=raw, headers={"Content-Type": "application/json"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"][0]["field"] == "texts.1"
