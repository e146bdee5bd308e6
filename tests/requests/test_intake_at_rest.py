"""What the window keeps: an Idempotency-Key answers only the submission it was first used for, and the
content and reason of a request are sealed at rest like the requester's details."""

from __future__ import annotations

from typing import Any

from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.migrations import alembic_config, upgrade
from mamori.requests import service
from mamori.requests.store import CaseRow
from tests.factories import make_service, request_payload

SECRET_TEXT = "山田太郎は前科三犯の詐欺師だ（封印の確認用）"
SECRET_REASON = "事実無根であり、職場で噂になっています（封印の確認用）"


def count_cases(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(CaseRow)) or 0)


def test_someone_elses_idempotency_key_returns_nothing_of_theirs(client: Any, db: Session) -> None:
    make_service(db)
    mine = client.post(
        "/api/v1/removal-requests", json=request_payload(), headers={"Idempotency-Key": "shared-key-1"}
    )
    assert mine.status_code == 201
    theirs = request_payload()
    theirs["requester"] = {**theirs["requester"], "email": "someone.else@example.com", "name": "別人"}
    reused = client.post("/api/v1/removal-requests", json=theirs, headers={"Idempotency-Key": "shared-key-1"})
    assert reused.status_code == 422 and reused.json()["error"] == "idempotency_key_reused"
    leaked = reused.text
    assert mine.json()["receipt_number"] not in leaked and mine.json()["follow_url"] not in leaked
    assert "key=" not in leaked
    assert count_cases(db) == 1  # nothing written for the second


def test_the_same_key_with_the_same_form_is_a_retry(client: Any, db: Session) -> None:
    make_service(db)
    body = request_payload()
    first = client.post("/api/v1/removal-requests", json=body, headers={"Idempotency-Key": "retry-2"})
    again = client.post("/api/v1/removal-requests", json=body, headers={"Idempotency-Key": "retry-2"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    other = client.post("/api/v1/removal-requests", json=body, headers={"Idempotency-Key": "retry-3"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    assert count_cases(db) == 2


def test_content_reason_and_key_are_not_in_the_database_in_clear(
    client: Any, db: Session, settings: Settings
) -> None:
    make_service(db)
    answer = client.post(
        "/api/v1/removal-requests",
        json=request_payload(content_text=SECRET_TEXT, reason=SECRET_REASON),
        headers={"Idempotency-Key": "visible-key-xyz"},
    )
    assert answer.status_code == 201, answer.text
    row = db.execute(text("SELECT * FROM cases")).mappings().one()
    stored = " ".join(str(v) for v in row.values())
    assert SECRET_TEXT not in stored and SECRET_REASON not in stored and "visible-key-xyz" not in stored
    case = db.get(CaseRow, answer.json()["id"])
    assert case is not None
    texts = service.case_texts(case, settings)
    assert (texts.content_text, texts.reason) == (SECRET_TEXT, SECRET_REASON)


def test_the_migration_seals_cases_written_before_it_and_unseals_on_downgrade(
    fresh_database_url: str, settings: Settings, clock: Any
) -> None:
    settings = settings.model_copy(update={"database_url": fresh_database_url})
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        make_service(db)
    from mamori.requests.api import to_form
    from mamori.requests.schema import RemovalRequestIn

    form = to_form(
        RemovalRequestIn.model_validate(request_payload(content_text=SECRET_TEXT, reason=SECRET_REASON)),
        source="api",
        idempotency_key=None,
    )
    with transaction(factory) as db:
        from mamori.core.audit import Actor

        case_id = service.file_request(
            form, db=db, settings=settings, at=clock.now(), by=Actor("public:t")
        ).case_id
    engine.dispose()
    command.downgrade(alembic_config(fresh_database_url), "20261202_1100")
    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:
        assert "content_text" in {c["name"] for c in inspect(conn).get_columns("cases")}
        plain = conn.execute(
            text("SELECT content_text, reason FROM cases WHERE id = :id"), {"id": case_id}
        ).one()
    assert tuple(plain) == (SECRET_TEXT, SECRET_REASON)  # what a deployment before this change held
    engine.dispose()
    upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("cases")}
        assert "content_text" not in columns and "reason" not in columns
    with transaction(make_sessionmaker(engine)) as db:
        case = db.get(CaseRow, case_id)
        assert case is not None and SECRET_TEXT not in case.content_text_sealed
        assert service.case_texts(case, settings).content_text == SECRET_TEXT
    engine.dispose()
