from fastapi import FastAPI
from fastapi.testclient import TestClient

from mamori.detect.api import MAX_BATCH, router


def make_client() -> TestClient:
    app = FastAPI()
    app.include_router(router)
    return TestClient(app)


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
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-2:] == ["texts", 0]


def test_nudge_answers_with_a_message_in_both_languages() -> None:
    answer = make_client().post("/api/v1/nudge", json={"text": "お前みたいなクズは死ね"}).json()
    assert answer["nudge"] is True and answer["category"] == "insult"
    assert answer["message"]["ja"] != answer["message"]["en"]


def test_nudge_stays_quiet_for_a_kind_post() -> None:
    answer = make_client().post("/api/v1/nudge", json={"text": "素敵な写真ですね!"}).json()
    assert answer == {"nudge": False, "category": None, "score": answer["score"], "message": None}
