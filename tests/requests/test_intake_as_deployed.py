"""Intake as `mamori serve` runs it (the app builds its own engines): on PostgreSQL the unit of work runs on
the event loop, its reads and its one write each a statement on its own; on SQLite in the thread pool, in a
transaction. Either way a 201 means the case, its event, its audit entry and its receipt notice are all
stored, and a failed write stores none of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.notices.store import NoticeRow
from mamori.requests import store
from mamori.requests.store import CaseEventRow, CaseRow
from mamori.web.app import create_app
from tests.factories import make_service, request_payload


@pytest.fixture
def deployed(fresh_database_url: str, clock: FixedClock) -> Iterator[tuple[TestClient, Any]]:
    settings = Settings(database_url=fresh_database_url, env="test", intake_rate_limit_per_minute=1000)
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        make_service(db)
    app = create_app(settings, clock=clock)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client, factory
    finally:
        engine.dispose()


def counts(db: Session) -> tuple[int, int, int, int]:
    def n(table: Any) -> int:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)

    audit = int(db.scalar(select(func.count()).where(AuditRow.action == "case.received")) or 0)
    return n(CaseRow), n(CaseEventRow), audit, n(NoticeRow)


def test_a_201_means_the_request_is_stored_whole(deployed: tuple[TestClient, Any]) -> None:
    client, factory = deployed
    uses_event_loop = client.app.state.single_statement_engine is not None  # type: ignore[attr-defined]
    assert uses_event_loop == factory.kw["bind"].url.drivername.startswith("postgresql")
    answers = [
        client.post(
            "/api/v1/removal-requests", json=request_payload(content_url=f"https://board.example/t/{n}")
        )
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    with transaction(factory) as db:
        assert counts(db) == (3, 3, 3, 3)
        for answer in answers:
            case = db.get(CaseRow, answer.json()["id"])
            assert case is not None and case.receipt_number == answer.json()["receipt_number"]


def test_an_idempotent_retry_answers_the_first_receipt_and_writes_nothing(
    deployed: tuple[TestClient, Any],
) -> None:
    client, factory = deployed
    headers = {"Idempotency-Key": "deployed-1"}
    first = client.post("/api/v1/removal-requests", json=request_payload(), headers=headers)
    again = client.post("/api/v1/removal-requests", json=request_payload(), headers=headers)
    other = client.post(
        "/api/v1/removal-requests",
        json=request_payload(reason="別の内容の理由です。取引先からの評価も下がりました。"),
        headers=headers,
    )
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    with transaction(factory) as db:
        assert counts(db) == (1, 1, 1, 1)


def test_when_the_one_write_fails_nothing_of_the_request_is_stored(
    deployed: tuple[TestClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, factory = deployed
    taken = "f" * 32
    first = client.post("/api/v1/removal-requests", json=request_payload())
    assert first.status_code == 201
    with transaction(factory) as db:
        before = counts(db)
        # the receipt notice of the next case will want a dedupe key that is already taken
        notice = db.scalars(select(NoticeRow)).one()
        notice.dedupe_key = f"{taken}:receipt"
    monkeypatch.setattr(store, "new_id", lambda: taken)
    answer = client.post(
        "/api/v1/removal-requests", json=request_payload(content_url="https://board.example/t/other")
    )
    assert answer.status_code == 500 and answer.json()["code"] == "internal_error"
    with transaction(factory) as db:
        assert counts(db) == before  # no case, event or audit entry without its notice
        assert db.get(CaseRow, taken) is None
