"""The Art. 22 window over JSON: receipt at once, clear errors, nothing half-written."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jsonschema
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.requests.store import CaseRow
from mamori.worker import deliver_due
from tests.factories import make_service, request_payload
from tests.support.smtp import MailSink, body_text


def count_cases(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(CaseRow)) or 0)


def test_a_request_gets_a_receipt_number_and_the_time_of_receipt(client: Any, db: Session) -> None:
    make_service(db)
    response = client.post("/api/v1/removal-requests", json=request_payload())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["receipt_number"].startswith("R-20260401-")
    received = dt.datetime.fromisoformat(body["received_at"])
    assert received == dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST) and received.utcoffset() == dt.timedelta(
        hours=9
    )
    assert dt.datetime.fromisoformat(body["decision_due_at"]) == dt.datetime(
        2026, 4, 8, 23, 59, 59, 999999, tzinfo=JST
    )
    assert body["follow_url"].startswith(f"http://127.0.0.1:8000/status/{body['receipt_number']}?key=")
    case = db.get(CaseRow, body["id"])
    assert case is not None and case.stage == "received"
    assert "hanako@example.com" not in case.requester_sealed  # encrypted at rest


def test_the_receipt_mail_carries_the_receipt_number_and_time(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    body = client.post("/api/v1/removal-requests", json=request_payload()).json()
    report = deliver_due(session_factory, settings, clock)
    assert report.sent == 1
    (msg,) = mail.to("hanako@example.com")
    text = body_text(msg)
    assert body["receipt_number"] in str(msg["Subject"]) and body["receipt_number"] in text
    assert "2026年4月1日 10:00:00 (日本時間)" in text
    assert "2026年4月8日 23:59:59 (日本時間)" in text
    assert body["follow_url"] in text


def test_the_follow_url_shows_the_case_to_its_requester_only(client: Any, db: Session) -> None:
    make_service(db)
    body = client.post("/api/v1/removal-requests", json=request_payload()).json()
    path = body["follow_url"].replace("http://127.0.0.1:8000", "")
    receipt, key = body["receipt_number"], path.split("key=")[1]
    status = client.get(f"/api/v1/status/{receipt}", params={"key": key})
    assert status.status_code == 200 and status.json()["stage"] == "received"
    wrong = client.get(f"/api/v1/status/{receipt}", params={"key": "guess"})
    assert wrong.status_code == 404 and "受付番号" in wrong.json()["message"]["ja"]


def test_bad_input_names_each_field_in_japanese_and_english_and_writes_nothing(
    client: Any, db: Session
) -> None:
    make_service(db)
    bad = request_payload(
        content_url="javascript:alert(1)",
        rights=[],
        reason="短い",
        declaration_true=False,
        requester={"name": " ", "address": "東京都", "email": "not-an-address", "phone": "abc"},
    )
    del bad["content_text"]
    response = client.post("/api/v1/removal-requests", json=bad)
    assert response.status_code == 422
    fields = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert set(fields) >= {
        "content_url",
        "rights",
        "reason",
        "declaration_true",
        "content_text",
        "requester.name",
        "requester.email",
        "requester.phone",
    }
    assert "URL" in fields["content_url"]["ja"] and "http" in fields["content_url"]["en"]
    assert "宣誓" in fields["declaration_true"]["ja"] and "declare" in fields["declaration_true"]["en"]
    assert fields["content_text"]["ja"] == "入力してください。"
    assert count_cases(db) == 0


def test_an_unknown_service_is_refused_with_the_list_of_services(client: Any, db: Session) -> None:
    make_service(db)
    response = client.post("/api/v1/removal-requests", json=request_payload(service="nowhere"))
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["field"] == "service" and "test-board" in detail["message"]["en"]
    assert count_cases(db) == 0


def test_a_retried_submission_with_the_same_idempotency_key_gets_the_same_receipt(
    client: Any, db: Session
) -> None:
    make_service(db)
    first = client.post(
        "/api/v1/removal-requests", json=request_payload(), headers={"Idempotency-Key": "abc-1"}
    )
    again = client.post(
        "/api/v1/removal-requests", json=request_payload(), headers={"Idempotency-Key": "abc-1"}
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert count_cases(db) == 1


def test_identical_repeat_request_is_received_and_linked_to_the_first_once_that_was_answered(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    from tests.factories import make_criteria, make_staff

    make_service(db)
    make_criteria(db)
    _user, token = make_staff(db, ["specialist"])
    first = client.post("/api/v1/removal-requests", json=request_payload()).json()
    unanswered = client.post("/api/v1/removal-requests", json=request_payload()).json()
    assert unanswered["repeat_of"] is None  # Art. 25(1) proviso: only against an answered request
    decided = client.post(
        f"/api/v1/cases/{first['id']}/decision",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "measure": "no_action",
            "criteria_version": "2026.1",
            "reason": "論評の範囲内であり削除しません。",
        },
    )
    assert decided.status_code == 201
    deliver_due(session_factory, settings, clock)
    repeat = client.post("/api/v1/removal-requests", json=request_payload()).json()
    other = client.post("/api/v1/removal-requests", json=request_payload(rights=["名誉感情"])).json()
    assert repeat["repeat_of"] == first["id"]
    assert other["repeat_of"] is None


def test_intake_is_rate_limited_per_address(client: Any, db: Session, settings: Any) -> None:
    make_service(db)
    client.app.state.settings = settings.model_copy(update={"intake_rate_limit_per_minute": 2})
    codes = [
        client.post(
            "/api/v1/removal-requests", json=request_payload(reason=f"理由その{i}です。十分な長さ")
        ).status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]


def test_the_published_json_schema_accepts_a_valid_request_and_rejects_a_bad_one(client: Any) -> None:
    schema = client.get("/api/v1/removal-requests/schema").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(request_payload()))
    assert list(validator.iter_errors(request_payload(rights=["名誉権", "bogus"])))
    assert set(schema["required"]) >= {
        "service",
        "content_url",
        "content_text",
        "rights",
        "reason",
        "requester",
        "show_name_to_poster",
        "declaration_true",
    }
