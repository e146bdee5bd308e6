"""The outbox worker: delivers pending notices by SMTP with retries, and watches Art. 25 deadlines.

Safe with several workers on several machines: a worker leases a notice with a conditional UPDATE
(and, on PostgreSQL, picks candidates with FOR UPDATE SKIP LOCKED), so two workers never hold the same
notice. Delivery is at-least-once with a stable Message-ID: a crash between the mail server's "250 OK"
and the commit can repeat a mail, which the Message-ID lets the receiving side recognise.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock, SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.inquiry.service import sweep_inquiries
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus, next_attempt_delay
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from mamori.requests.store import add_event

log = logging.getLogger("mamori.worker")
LEASE = dt.timedelta(minutes=5)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deadlines_marked: list[str] = field(default_factory=list)
    scored: int = 0

    def __str__(self) -> str:
        return (
            f"sent {self.sent}, will retry {self.retried}, failed {self.failed}, "
            f"deadlines missed {len(self.deadlines_marked)}"
        )


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    """Hand a mail to the SMTP server of MAMORI_SMTP_URL, or (file:DIR, for development) write it there."""
    parts = urlsplit(settings.smtp_url)
    if parts.scheme == "file":
        folder = Path(parts.netloc + parts.path)
        folder.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").replace("@", "_")
        (folder / f"{name}.eml").write_bytes(bytes(message))
        return
    host, port = parts.hostname or "127.0.0.1", parts.port or (465 if parts.scheme == "smtps" else 25)
    client: smtplib.SMTP = (
        smtplib.SMTP_SSL(host, port, timeout=30)
        if parts.scheme == "smtps"
        else smtplib.SMTP(host, port, timeout=30)
    )
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


def _claim(db: Session, *, worker_id: str, now: dt.datetime, batch: int) -> list[str]:
    due = and_(
        NoticeRow.status == NoticeStatus.PENDING.value,
        NoticeRow.next_attempt_at <= now,
        or_(NoticeRow.lease_until.is_(None), NoticeRow.lease_until < now),
    )
    stmt = select(NoticeRow.id).where(due).order_by(NoticeRow.next_attempt_at).limit(batch)
    if db.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    claimed = []
    for notice_id in db.scalars(stmt).all():
        result = db.execute(
            update(NoticeRow)
            .where(NoticeRow.id == notice_id, due)
            .values(lease_owner=worker_id, lease_until=now + LEASE)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(notice_id)
    return claimed


def _message(row: NoticeRow, settings: Settings, to: str, body: str, now: dt.datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = to
    msg["Subject"] = row.subject
    msg["Date"] = formatdate(now.timestamp(), localtime=False)
    msg["Message-ID"] = row.message_id
    msg["X-Mamori-Notice"] = f"{row.kind}; case={row.case_id}"
    msg.set_content(body)
    return msg


def deliver_due(
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    *,
    worker_id: str | None = None,
    batch: int = 50,
    send: object = None,
) -> DeliveryReport:
    """Deliver every notice due now; each notice is claimed, sent and settled in its own transactions."""
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    sender = send or smtp_send
    report = DeliveryReport()
    sealer = requests.sealer_for(settings)
    while True:
        now = clock.now()
        with transaction(factory) as db:
            claimed = _claim(db, worker_id=worker_id, now=now, batch=batch)
        if not claimed:
            break
        for notice_id in claimed:
            with transaction(factory) as db:
                row = db.get(NoticeRow, notice_id)
                if row is None or row.lease_owner != worker_id or row.status != NoticeStatus.PENDING.value:
                    continue
                message = _message(
                    row, settings, notices.address_of(row, sealer), notices.body_of(row, sealer), now
                )
            try:
                sender(settings, message)  # type: ignore[operator]
                error = None
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            with transaction(factory) as db:
                row = db.get(NoticeRow, notice_id)
                if row is None or row.lease_owner != worker_id:
                    continue
                row.attempts += 1
                row.lease_owner, row.lease_until = None, None
                settled_at = clock.now()
                if error is None:
                    row.status, row.sent_at, row.last_error = NoticeStatus.SENT.value, settled_at, None
                    if row.case_id:
                        add_event(
                            db,
                            row.case_id,
                            settled_at,
                            "notice_sent",
                            worker_id,
                            notice_kind=row.kind,
                            notice=row.id,
                        )
                    report.sent += 1
                elif row.attempts >= settings.outbox_max_attempts:
                    row.status, row.last_error = NoticeStatus.FAILED.value, error
                    if row.case_id:
                        add_event(
                            db,
                            row.case_id,
                            settled_at,
                            "notice_failed",
                            worker_id,
                            notice_kind=row.kind,
                            error=error,
                        )
                    report.failed += 1
                    log.error("notice %s failed for good: %s", row.id, error)
                else:
                    row.last_error = error
                    row.next_attempt_at = settled_at + next_attempt_delay(
                        row.attempts, settings.outbox_backoff_seconds
                    )
                    report.retried += 1
                    log.warning("notice %s not delivered (attempt %d): %s", row.id, row.attempts, error)
        if len(claimed) < batch:
            break
    return report


def tick(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> DeliveryReport:
    """One round: mark missed deadlines, deliver what is due, move inquiry windows, score new cases."""
    with transaction(factory) as db:
        marked = requests.sweep_deadlines(db=db, now=clock.now(), settings=settings)
    report = deliver_due(factory, settings, clock)
    report.deadlines_marked = marked
    with transaction(factory) as db:
        # starts each sender-inquiry window once its mail went out; closes windows that ended unanswered
        sweep_inquiries(db=db, now=clock.now(), settings=settings)
    with transaction(factory) as db:
        report.scored = requests.score_unscored(db=db)
    return report


HOUSEKEEPING_EVERY = dt.timedelta(hours=1)


def housekeeping(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    """Hourly: erase the personal data of consultations past their retention period (counts stay)."""
    from mamori.consult.service import erase_expired

    with transaction(factory) as db:
        return erase_expired(db=db, at=clock.now(), retention_days=settings.consult_retention_days)


def run_once(settings: Settings) -> DeliveryReport:
    engine = make_engine(settings.database_url)
    try:
        return tick(make_sessionmaker(engine), settings, SystemClock())
    finally:
        engine.dispose()


def run_forever(
    settings: Settings,
    stop: threading.Event | None = None,
    interval: float = 2.0,
    factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
) -> None:
    """Loop until `stop` is set; an error in one round is logged and the next round tries again."""
    stop = stop or threading.Event()
    factory = factory or make_sessionmaker(make_engine(settings.database_url))
    clock = clock or SystemClock()
    next_housekeeping = clock.now()
    while not stop.is_set():
        try:
            tick(factory, settings, clock)
            if clock.now() >= next_housekeeping:
                housekeeping(factory, settings, clock)
                next_housekeeping = clock.now() + HOUSEKEEPING_EVERY
        except Exception:
            log.exception("worker round failed; retrying in %.0fs", interval)
        stop.wait(interval)


def run_in_background(app: object) -> threading.Event:
    """Start the worker as a daemon thread beside the web server (the single-machine default)."""
    state = app.state  # type: ignore[attr-defined]
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        kwargs={
            "settings": state.settings,
            "stop": stop,
            "factory": state.session_factory,
            "clock": state.clock,
        },
        name="mamori-outbox",
        daemon=True,
    )
    thread.start()
    state.worker_stop = stop
    time.sleep(0)
    return stop
