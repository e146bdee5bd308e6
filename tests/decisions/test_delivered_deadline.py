"""情プラ法 Art. 25(1): the requester must be *told* within the period. Only a delivered notice meets the
deadline; one the mail server refuses leaves the case overdue and the operator alerted. After an interim
notice, the decision owed "without delay" ages against its own target. A real SMTP server (aiosmtpd on
loopback) refuses on demand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus
from mamori.requests import service as requests
from mamori.requests.model import ClockState
from mamori.worker import tick
from tests.factories import make_criteria, make_service, make_staff, request_payload
from tests.support.smtp import MailSink

LAST_SECONDS = dt.datetime(2026, 4, 8, 23, 59, 50, tzinfo=JST)  # received 1 April 10:00: due 8 April 24:00
AFTER = dt.datetime(2026, 4, 9, 0, 0, 5, tzinfo=JST)
REASON = "投稿は公共の事柄についての論評であり、削除の理由はありません。"


def file_case(client: Any, db: Session) -> str:
    make_service(db)
    make_criteria(db)
    return str(client.post("/api/v1/removal-requests", json=request_payload()).json()["id"])


def interim(db: Session, settings: Settings, case_id: str, at: dt.datetime) -> None:
    user, _ = make_staff(db, ["specialist"])
    decisions.extend(
        case_id,
        ExtensionGround.SPECIALIST_INVESTIGATION,
        "",
        db=db,
        settings=settings,
        at=at,
        by=user.actor(),
    )
    db.flush()


def state(db: Session, settings: Settings, case_id: str, now: dt.datetime) -> ClockState:
    item = next(
        i for i in requests.open_cases_by_clock(db=db, now=now, settings=settings) if i.case_id == case_id
    )
    return item.state


def test_an_interim_notice_refused_at_the_deadline_leaves_the_case_overdue_and_alerted(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    case_id = file_case(client, db)
    tick(session_factory, settings, clock)  # the receipt goes out
    settings = settings.model_copy(update={"outbox_max_attempts": 2, "outbox_backoff_seconds": 1.0})
    clock.set(LAST_SECONDS)
    interim(db, settings, case_id, clock.now())
    mail.refuse = True
    tick(session_factory, settings, clock)  # refused once: pending
    assert state(db, settings, case_id, clock.now()) is ClockState.UNDELIVERED
    alerts = [m for m in mail.to(settings.operator_email) if "undelivered_alert" in m["X-Mamori-Notice"]]
    assert alerts == []  # the alert is itself refused by this mail server: it waits in the outbox
    clock.set(AFTER)
    report = tick(session_factory, settings, clock)
    assert report.deadlines_marked == [requests.get_case_row(db, case_id).receipt_number]
    db.expire_all()
    case = requests.get_case_row(db, case_id)
    assert case.first_requester_notice_at is not None and case.requester_told_at is None
    assert state(db, settings, case_id, clock.now()) is ClockState.OVERDUE
    told = [
        n for n in requests.status_for_requester(case, db=db, now=clock.now(), settings=settings)["notices"]
    ]  # type: ignore[union-attr]
    interim_row = next(n for n in told if n["kind"] == "requester_interim")
    assert interim_row["sent_at"] is None and interim_row["status"] in (
        NoticeStatus.PENDING,
        NoticeStatus.FAILED,
    )
    # the operator was alerted: while this server refuses everything the alert waits (or fails, for staff
    # to see in the failed-notices list); the missed-deadline alert goes once the server is back
    kinds = {(n.kind, n.recipient) for n in notices.for_case(db, case_id)}
    assert ("undelivered_alert", "operator") in kinds and ("deadline_alert", "operator") in kinds
    mail.refuse = False
    clock.advance(hours=1)
    tick(session_factory, settings, clock)
    operator = [str(m["X-Mamori-Notice"]).split(";")[0] for m in mail.to(settings.operator_email)]
    assert "deadline_alert" in operator


def test_a_delivered_interim_notice_meets_the_deadline_and_the_decision_then_ages(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    case_id = file_case(client, db)
    clock.set(LAST_SECONDS)
    interim(db, settings, case_id, clock.now())
    tick(session_factory, settings, clock)
    db.expire_all()
    case = requests.get_case_row(db, case_id)
    assert case.requester_told_at == LAST_SECONDS  # delivered in time
    clock.set(AFTER)
    assert tick(session_factory, settings, clock).deadlines_marked == []
    assert state(db, settings, case_id, clock.now()) is ClockState.ANSWERED
    item = next(
        i
        for i in requests.open_cases_by_clock(db=db, now=clock.now(), settings=settings)
        if i.case_id == case_id
    )
    assert item.final_due_at == dt.datetime(2026, 4, 22, 23, 59, 59, 999999, tzinfo=JST).astimezone(dt.UTC)
    later = dt.datetime(2026, 4, 23, 0, 0, 1, tzinfo=JST)
    assert state(db, settings, case_id, later) is ClockState.FINAL_LATE
    # the queue raises it above cases that are merely due soon
    ranks = [i.case_id for i in requests.open_cases_by_clock(db=db, now=later, settings=settings)]
    assert ranks[0] == case_id


def test_mamori_cases_due_shows_the_decisions_target_after_an_interim_notice(
    fresh_database_url: str, mail: MailSink, monkeypatch: Any, tmp_path: Any
) -> None:
    import json

    from typer.testing import CliRunner

    from mamori.cli import app
    from mamori.core.audit import Actor
    from mamori.core.clock import SystemClock
    from mamori.core.db import make_engine, make_sessionmaker, transaction
    from mamori.requests.api import to_form
    from mamori.requests.schema import RemovalRequestIn

    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    settings = Settings(database_url=fresh_database_url, smtp_url=mail.url, env="test", data_dir=tmp_path)
    factory = make_sessionmaker(make_engine(fresh_database_url))
    now = SystemClock().now()
    with transaction(factory) as db:
        make_service(db)
        form = to_form(RemovalRequestIn.model_validate(request_payload()), source="api", idempotency_key=None)
        case_id = requests.file_request(form, db=db, settings=settings, at=now, by=Actor("public:t")).case_id
        interim(db, settings, case_id, now)
    tick(factory, settings, SystemClock())  # the interim notice is delivered
    result = CliRunner().invoke(app, ["cases", "due", "--json"])
    assert result.exit_code == 0, result.output
    (line,) = [json.loads(x) for x in result.output.splitlines()]
    assert line["clock"] == "answered" and line["final_due"] is not None
