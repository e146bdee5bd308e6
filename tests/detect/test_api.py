"""The detection API: scores in order, clear 422s for what it will not read, a limit per client."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from mamori.core.config import Settings
from mamori.detect.api import MAX_BATCH, MAX_BATCH_CHARS, MAX_TEXT_CHARS
from mamori.web.app import create_app


def make_client(**settings: Any) -> TestClient:
    """The whole app (validation messages, limits), on an in-memory database the routes never touch."""
    return TestClient(create_app(Settings(database_url="sqlite://", env="test", **settings)))


def test_detect_scores_a_batch_in_order() -> None:
    answer = make_client().post("/api/v1/detect", json={"texts": ["今日はいい天気", "殺してやる", ""]})
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 3
    assert "threat" in results[1]["flags"]
    assert results[1]["spans"][0]["why"]["ja"] and results[1]["spans"][0]["why"]["en"]
    assert results[2]["notices"][0]["code"] == "empty"


def test_detect_refuses_a_missing_or_oversized_batch_with_422() -> None:
    c = make_client()
    assert c.post("/api/v1/detect", json={}).status_code == 422
    assert c.post("/api/v1/detect", json={"texts": []}).status_code == 422
    assert c.post("/api/v1/detect", json={"texts": ["a"] * (MAX_BATCH + 1)}).status_code == 422
    bad = c.post("/api/v1/detect", json={"texts": [1, 2]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "texts.0"


def test_a_post_longer_than_the_model_reads_is_refused_naming_the_post_and_the_limit() -> None:
    answer = make_client().post("/api/v1/detect", json={"texts": ["短い", "あ" * (MAX_TEXT_CHARS + 1)]})
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["field"] == "texts.1"
    assert (
        f"{MAX_TEXT_CHARS:,}" in problem["message"]["ja"] or str(MAX_TEXT_CHARS) in problem["message"]["ja"]
    )
    assert str(MAX_TEXT_CHARS) in problem["message"]["en"].replace(",", "")


def test_a_batch_longer_in_all_than_the_limit_is_refused_before_scoring() -> None:
    per_post = MAX_TEXT_CHARS
    count = MAX_BATCH_CHARS // per_post + 1
    answer = make_client().post("/api/v1/detect", json={"texts": ["あ" * per_post] * count})
    assert answer.status_code == 422
    (problem,) = answer.json()["detail"]
    assert problem["field"] == "texts"
    assert str(MAX_BATCH_CHARS) in problem["message"]["en"].replace(",", "")
    assert "文字" in problem["message"]["ja"]


def test_a_lone_surrogate_or_an_invisible_control_is_a_clear_422_not_a_500() -> None:
    c = make_client()
    raw = b'{"texts": ["ok", "\\ud800"]}'
    answer = c.post("/api/v1/detect", content=raw, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["field"] == "texts.1"
    assert "U+D800" in answer.json()["detail"][0]["message"]["en"]
    nudge = c.post(
        "/api/v1/nudge", content=b'{"text": "a\\u202eb"}', headers={"Content-Type": "application/json"}
    )
    assert nudge.status_code == 422 and "U+202E" in nudge.json()["detail"][0]["message"]["ja"]


def test_nudge_refuses_a_draft_longer_than_a_post_with_the_limit_in_the_message() -> None:
    answer = make_client().post("/api/v1/nudge", json={"text": "あ" * (MAX_TEXT_CHARS + 1)})
    assert answer.status_code == 422
    assert str(MAX_TEXT_CHARS) in answer.json()["detail"][0]["message"]["ja"].replace(",", "")


def test_detect_and_nudge_are_limited_per_client_address() -> None:
    c = make_client(detect_rate_limit_per_minute=2, nudge_rate_limit_per_minute=3)
    codes = [c.post("/api/v1/detect", json={"texts": ["ok"]}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    codes = [c.post("/api/v1/nudge", json={"text": "ok"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # each endpoint keeps its own count


def test_nudge_answers_with_a_message_in_both_languages() -> None:
    answer = make_client().post("/api/v1/nudge", json={"text": "お前みたいなクズは死ね"}).json()
    assert answer["nudge"] is True and answer["category"] == "insult"
    assert answer["message"]["ja"] != answer["message"]["en"]


def test_nudge_stays_quiet_for_a_kind_post() -> None:
    answer = make_client().post("/api/v1/nudge", json={"text": "素敵な写真ですね!"}).json()
    assert answer == {"nudge": False, "category": None, "score": answer["score"], "message": None}
