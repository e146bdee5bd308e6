"""The removal request refuses invisible controls and line breaks where a reader would be misled, with a
422 that names the field and the character in Japanese and English; nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.requests.schema import RemovalRequestIn
from mamori.requests.store import CaseRow
from tests.factories import make_service, request_payload


def requester(**over: str) -> dict[str, str]:
    return {**request_payload()["requester"], **over}


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"requester": requester(name="山田\r\n花子")}, ("requester", "name"), "line_break"),
        ({"requester": requester(name="山田\u202e子花")}, ("requester", "name"), "bidi_control"),
        ({"requester": requester(address="東京都\n千代田区")}, ("requester", "address"), "line_break"),
        ({"content_text": "投稿\x00本文"}, ("content_text",), "control_character"),
        ({"reason": "理由\u2066を十分に詳しく書きました\u2069。"}, ("reason",), "bidi_control"),
        ({"content_url": "https://board.example/\u202et/1"}, ("content_url",), "bidi_control"),
        ({"service": "test-board\n"}, ("service",), "line_break"),
        (
            {"evidence": [{"sha256": "a" * 64, "description": "説明\x1b[2J"}]},
            ("evidence", 0, "description"),
            "control_character",
        ),
    ],
)
def test_controls_are_refused_field_by_field(over: dict[str, Any], field: tuple[Any, ...], code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RemovalRequestIn.model_validate(request_payload(**over))
    errors = [e for e in caught.value.errors() if e["type"] == code]
    assert [e["loc"] for e in errors] == [field]


def test_reasons_and_posts_may_span_lines() -> None:
    body = RemovalRequestIn.model_validate(
        request_payload(content_text="一行目\n二行目", reason="理由の一行目です。\r\n二行目も書きます。")
    )
    assert "\n" in body.content_text and "\n" in body.reason


def test_the_api_answers_422_naming_the_field_and_writes_nothing(client: Any, db: Session) -> None:
    make_service(db)
    raw = json.dumps(request_payload(requester=requester(name="\ud800")), ensure_ascii=True)
    answer = client.post(
        "/api/v1/removal-requests", content=raw, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["field"] == "requester.name"
    assert "壊れた文字" in problem["message"]["ja"] and "surrogate" in problem["message"]["en"]
    answer = client.post(
        "/api/v1/removal-requests", json=request_payload(reason="理由は\u202eこの通りです。十分。")
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "reason"
    assert "文字の向き" in answer.json()["detail"][0]["message"]["ja"]
    assert db.scalar(select(func.count()).select_from(CaseRow)) == 0
