"""The logs' JSON API × roles: the log source only sends, the legal officer reads and holds; a
specialist, an administrator and an auditor are refused (403) on every read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from tests.logs.factories import T0, assignment, event, holder

READS = [
    (
        "GET",
        "/api/v1/logs/accounts/acct-1001/events",
        {"start": "2026-04-01T00:00:00+09:00", "end": "2026-04-02T00:00:00+09:00"},
    ),
    ("GET", "/api/v1/logs/accounts/acct-1001/holder", {}),
    ("GET", "/api/v1/logs/posts/post-1/event", {}),
    ("GET", "/api/v1/logs/lookup", {"ip": "198.51.100.7", "port": "80", "at": "2026-04-01T10:00:00+09:00"}),
    ("GET", "/api/v1/logs/holds", {}),
]
INGEST = [
    ("/api/v1/logs/events", {"events": [event()]}),
    ("/api/v1/logs/assignments", {"assignments": [assignment()]}),
    ("/api/v1/logs/holders", {"holders": [holder()]}),
]


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    out = {}
    for role in ("legal_officer", "log_source", "specialist", "administrator", "auditor"):
        user = auth.create_user(
            f"{role}@logs.test", role, [role], "a long enough password", db=db, at=at, by=Actor.system()
        )
        out[role] = auth.create_api_token(user, db=db, at=at, valid_for=None)
    db.flush()
    return out


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_log_source_sends_and_the_legal_officer_reads(client: Any, tokens: dict[str, str]) -> None:
    for path, body in INGEST:
        answer = client.post(path, json=body, headers=_h(tokens["log_source"]))
        assert answer.status_code == 201, answer.text
        assert answer.json() == {"stored": 1}

    legal = _h(tokens["legal_officer"])
    events = client.get(READS[0][1], params=READS[0][2], headers=legal).json()["events"]
    assert [(e["kind"], e["ip"], e["port"], e["post_id"]) for e in events] == [
        ("post", "203.0.113.45", 50123, "post-1")
    ]
    assert events[0]["occurred_at"] == "2026-04-01T01:00:00+00:00"
    assert client.get(READS[1][1], headers=legal).json()["holder"]["phone"] == "090-1234-5678"
    assert client.get(READS[2][1], headers=legal).json()["event"]["account_id"] == "acct-1001"
    found = client.get(READS[3][1], params=READS[3][2], headers=legal).json()
    assert found["status"] == "held" and found["subscriber_id"] == "sub-A" and found["reason"]["ja"]


@pytest.mark.parametrize("role", ["specialist", "administrator", "auditor", "log_source"])
def test_no_other_role_reads_poster_data(client: Any, tokens: dict[str, str], role: str) -> None:
    for method, path, params in READS:
        answer = client.request(method, path, params=params, headers=_h(tokens[role]))
        assert answer.status_code == 403, (role, path)
    hold = {"basis": "legal_officer", "reference": "x", "account_id": "a"}
    assert client.post("/api/v1/logs/holds", json=hold, headers=_h(tokens[role])).status_code == 403


@pytest.mark.parametrize("role", ["specialist", "administrator", "auditor"])
def test_only_the_log_source_and_legal_officer_send(client: Any, tokens: dict[str, str], role: str) -> None:
    for path, body in INGEST:
        assert client.post(path, json=body, headers=_h(tokens[role])).status_code == 403


def test_not_signed_in_is_401(client: Any) -> None:
    assert client.get(READS[0][1], params=READS[0][2]).status_code == 401
    assert client.post(INGEST[0][0], json=INGEST[0][1]).status_code == 401


def test_a_bad_row_is_named_and_nothing_is_stored(client: Any, tokens: dict[str, str]) -> None:
    body = {"events": [event(), event(port=70000, post_id="p2")]}
    answer = client.post("/api/v1/logs/events", json=body, headers=_h(tokens["log_source"]))
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail[0]["field"] == "rows[1] port" and "65535" in detail[0]["message"]["en"]
    events = client.get(READS[0][1], params=READS[0][2], headers=_h(tokens["legal_officer"])).json()["events"]
    assert events == []


def test_a_batch_is_bounded(client: Any, tokens: dict[str, str]) -> None:
    body = {"events": [event(post_id=f"p{i}") for i in range(1001)]}
    assert client.post("/api/v1/logs/events", json=body, headers=_h(tokens["log_source"])).status_code == 422


def test_holds_through_the_api(client: Any, tokens: dict[str, str]) -> None:
    legal = _h(tokens["legal_officer"])
    placed = client.post(
        "/api/v1/logs/holds",
        json={
            "basis": "erasure_order",
            "reference": "令和8年(発チ)第5号",
            "ip": "203.0.113.45",
            "start": (T0 - dt.timedelta(days=1)).isoformat(),
            "end": T0.isoformat(),
        },
        headers=legal,
    )
    assert placed.status_code == 201, placed.text
    hold_id = placed.json()["id"]
    listed = client.get("/api/v1/logs/holds", headers=legal).json()["holds"]
    assert [(h["id"], h["ip"], h["basis"]) for h in listed] == [(hold_id, "203.0.113.45", "erasure_order")]
    released = client.post(f"/api/v1/logs/holds/{hold_id}/release", json={"reason": "取下げ"}, headers=legal)
    assert released.status_code == 200
    assert client.get("/api/v1/logs/holds", headers=legal).json()["holds"] == []


def test_a_retried_batch_is_not_stored_twice(client: Any, tokens: dict[str, str]) -> None:
    source = _h(tokens["log_source"])
    body = {"batch_id": "2026-04-01T10:00:00Z-0001", "events": [event(), event(post_id="post-2")]}
    assert client.post("/api/v1/logs/events", json=body, headers=source).json() == {"stored": 2}
    assert client.post("/api/v1/logs/events", json=body, headers=source).json() == {"stored": 2}
    events = client.get(READS[0][1], params=READS[0][2], headers=_h(tokens["legal_officer"])).json()["events"]
    assert len(events) == 2
    reused = client.post(
        "/api/v1/logs/assignments",
        json={"batch_id": body["batch_id"], "assignments": [assignment()]},
        headers=source,
    )
    assert reused.status_code == 409 and reused.json()["detail"][0]["field"] == "batch_id"
