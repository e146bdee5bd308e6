"""The outbox: a mail server that is down loses nothing; no notice goes twice; workers share safely."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.notices.model import NoticeStatus, next_attempt_delay
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from mamori.requests.service import Requester, RequestForm
from mamori.worker import deliver_due, tick
from tests.factories import make_service
from tests.support.smtp import MailSink


def form(n: int) -> RequestForm:
    return RequestForm(
        service="test-board",
        content_url=f"https://board.example/t/{n}",
        content_text="本文",
        rights=["名誉権"],
        reason="社会的評価が低下するためです。",
        show_name_to_poster=False,
        declaration_true=True,
        requester=Requester("申出者", "東京都", f"r{n}@example.com", "03-0000-0000"),
    )


def test_backoff_doubles_and_is_capped() -> None:
    assert [next_attempt_delay(a, 30).total_seconds() for a in (1, 2, 3)] == [30, 60, 120]
    assert next_attempt_delay(30, 30) == dt.timedelta(hours=6)


def test_a_mail_server_that_is_down_loses_nothing(
    db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    requests.file_request(form(1), db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    db.flush()
    mail.refuse = True
    first = deliver_due(session_factory, settings, clock)
    assert (first.sent, first.retried) == (0, 1)
    row = db.scalar(select(NoticeRow))
    assert row is not None
    db.refresh(row)
    assert row.status == "pending" and row.attempts == 1 and "451" in (row.last_error or "")
    assert row.next_attempt_at == clock.now() + dt.timedelta(seconds=settings.outbox_backoff_seconds)
    again = deliver_due(session_factory, settings, clock)  # not yet due: nothing tried
    assert (again.sent, again.retried) == (0, 0)
    mail.refuse = False
    clock.advance(seconds=settings.outbox_backoff_seconds)
    assert deliver_due(session_factory, settings, clock).sent == 1
    assert len(mail.messages) == 1
    assert deliver_due(session_factory, settings, clock).sent == 0  # never twice
    assert len(mail.messages) == 1


def test_a_notice_that_never_goes_through_is_marked_failed_for_staff(
    db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    settings = settings.model_copy(update={"outbox_max_attempts": 3})
    requests.file_request(form(1), db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    db.flush()
    mail.refuse = True
    for _ in range(3):
        deliver_due(session_factory, settings, clock)
        clock.advance(hours=1)
    row = db.scalar(select(NoticeRow))
    assert row is not None
    db.refresh(row)
    assert row.status == NoticeStatus.FAILED.value and row.attempts == 3


def test_overdue_case_is_marked_and_the_operator_alerted_once(
    db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    receipt = requests.file_request(
        form(1), db=db, settings=settings, at=clock.now(), by=Actor("public:test")
    )
    db.flush()
    clock.set(dt.datetime(2026, 4, 8, 23, 59, 59, tzinfo=JST))
    assert tick(session_factory, settings, clock).deadlines_marked == []
    clock.set(dt.datetime(2026, 4, 9, 0, 0, 0, tzinfo=JST))
    assert tick(session_factory, settings, clock).deadlines_marked == [receipt.receipt_number]
    assert tick(session_factory, settings, clock).deadlines_marked == []
    alerts = mail.to(settings.operator_email)
    assert len(alerts) == 1 and receipt.receipt_number in str(alerts[0]["Subject"])
    items = requests.open_cases_by_clock(db=db, now=clock.now(), settings=settings)
    assert items[0].state.value == "overdue"


def test_several_workers_share_the_outbox_without_sending_twice(
    postgres_database_url: str, mail: MailSink, tmp_path: Any
) -> None:
    """Several workers on several machines are a PostgreSQL deployment: four threads stand in for them."""
    fresh_database_url = postgres_database_url
    settings = Settings(database_url=fresh_database_url, smtp_url=mail.url, env="test", data_dir=tmp_path)
    clock = FixedClock(dt.datetime(2026, 4, 1, 10, tzinfo=JST))
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        make_service(db)
        for n in range(60):
            requests.file_request(form(n), db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    reports = []

    def work(name: str) -> None:
        reports.append(deliver_due(factory, settings, clock, worker_id=name, batch=5))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mail.wait_for(60)
    ids = [m["Message-ID"] for m in mail.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sum(r.sent for r in reports) == 60
    assert sum(1 for r in reports if r.sent) >= 2  # the work really was shared
    engine.dispose()


def test_the_worker_scores_new_cases_for_the_review_queue(
    db: Session, settings: Settings, clock: FixedClock, session_factory: Any
) -> None:
    make_service(db)
    calm = requests.file_request(form(1), db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    threat = form(2)
    threat = RequestForm(
        **{**threat.__dict__, "content_text": "お前の家は知ってる。夜道に気をつけろよ、殺すぞ"}
    )
    harsh = requests.file_request(threat, db=db, settings=settings, at=clock.now(), by=Actor("public:test"))
    db.flush()
    assert tick(session_factory, settings, clock).scored == 2
    from mamori.requests.store import CaseRow

    scores = {c.id: c.abuse_score for c in db.scalars(select(CaseRow))}
    assert scores[harsh.case_id] is not None and scores[calm.case_id] is not None
    assert scores[harsh.case_id] > scores[calm.case_id]
    assert tick(session_factory, settings, clock).scored == 0


def test_in_development_mail_can_be_written_to_a_folder(
    db: Session, settings: Settings, clock: FixedClock, session_factory: Any, tmp_path: Any
) -> None:
    make_service(db)
    settings = settings.model_copy(update={"smtp_url": f"file:{tmp_path / 'mail'}"})
    receipt = requests.file_request(
        form(1), db=db, settings=settings, at=clock.now(), by=Actor("public:test")
    )
    db.flush()
    assert deliver_due(session_factory, settings, clock).sent == 1
    (written,) = (tmp_path / "mail").glob("*.eml")
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert receipt.receipt_number in str(message["Subject"]) and message["To"] == "r1@example.com"
