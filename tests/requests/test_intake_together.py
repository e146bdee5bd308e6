"""Filing a request writes the case, its `received` event, its audit entry and its receipt notice together
(one statement on PostgreSQL): all of them, or, when one cannot be written, none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mamori.core.audit import Actor, AuditRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.notices import service as notices
from mamori.notices.store import NoticeRow
from mamori.requests import api, service, store
from mamori.requests.schema import RemovalRequestIn
from mamori.requests.store import CaseEventRow, CaseRow
from tests.factories import make_service, request_payload


def count(db: Session, table: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(table)) or 0)


def test_the_case_its_event_its_audit_entry_and_its_receipt_notice_are_written_together(
    client: Any, db: Session, settings: Settings
) -> None:
    make_service(db)
    answer = client.post("/api/v1/removal-requests", json=request_payload()).json()
    case = db.get(CaseRow, answer["id"])
    assert case is not None and case.stage == "received" and case.abuse_flags == "[]"
    assert case.election_candidate is False and case.source == "api" and case.lang == "ja"
    (event,) = store.events(db, case.id)
    assert event.kind == "received" and event.actor == "public:testclient"
    assert json.loads(event.detail) == {
        "due": case.decision_due_at.isoformat(),
        "repeat_of": None,
        "source": "api",
    }
    (entry,) = db.scalars(select(AuditRow).where(AuditRow.subject_id == case.id))
    assert entry.action == "case.received" and entry.subject_type == "case" and entry.personal_data is False
    assert json.loads(entry.detail) == {"receipt_number": answer["receipt_number"]}
    (notice,) = notices.for_case(db, case.id)
    assert (notice.kind, notice.recipient, notice.status, notice.attempts) == (
        "receipt",
        "requester",
        "pending",
        0,
    )
    assert notice.dedupe_key == f"{case.id}:receipt" and notice.message_id == f"<{notice.id}@mamori.notices>"
    sealer = service.sealer_for(settings)
    assert notices.address_of(notice, sealer) == "hanako@example.com"
    assert answer["receipt_number"] in notice.subject and answer["follow_url"] in notices.body_of(
        notice, sealer
    )


def test_when_the_receipt_notice_cannot_be_written_nothing_of_the_request_is_kept(
    db: Session, settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_service(db)
    taken = "f" * 32
    db.add(
        NoticeRow(
            id="0" * 32,
            kind="receipt",
            recipient="requester",
            dedupe_key=f"{taken}:receipt",  # the dedupe key the new case's receipt will want
            lang="ja",
            subject="",
            body_sealed="",
            status="sent",
            created_at=clock.now(),
            next_attempt_at=clock.now(),
            message_id="",
        )
    )
    db.flush()
    monkeypatch.setattr(store, "new_id", lambda: taken)
    form = api.to_form(RemovalRequestIn.model_validate(request_payload()), source="api", idempotency_key=None)
    with pytest.raises(IntegrityError), db.begin_nested():
        service.file_request(form, db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    assert count(db, CaseRow) == 0 and count(db, CaseEventRow) == 0
    assert db.scalar(select(func.count()).where(AuditRow.action == "case.received")) == 0
    assert count(db, NoticeRow) == 1  # only the one that was there


def test_a_retry_with_its_idempotency_key_writes_nothing_more(client: Any, db: Session) -> None:
    make_service(db)
    headers = {"Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/removal-requests", json=request_payload(), headers=headers).json()
    again = client.post("/api/v1/removal-requests", json=request_payload(), headers=headers).json()
    assert again == first
    assert (count(db, CaseRow), count(db, CaseEventRow), count(db, NoticeRow)) == (1, 1, 1)
    assert db.scalar(select(func.count()).where(AuditRow.action == "case.received")) == 1
