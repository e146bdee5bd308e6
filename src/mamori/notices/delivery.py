"""Delivery of the outbox: pending notices go out by SMTP with retries (run as a job by `mamori.worker`).

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
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.db import transaction
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus, next_attempt_delay
from mamori.notices.store import NoticeRow

log = logging.getLogger("mamori.worker")


@dataclass(frozen=True)
class Settled:
    """What became of one notice (handed to the caller's hook inside the settling transaction)."""

    notice_id: str
    case_id: str | None
    kind: str
    status: NoticeStatus
    at: dt.datetime
    by: str
    error: str | None = None


# Called in the transaction that settles a notice, so what the case records lands with the settlement.
OnSettled = Callable[[Session, Settled], None]


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"sent {self.sent}, will retry {self.retried}, failed {self.failed}"


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


def _claim(db: Session, *, worker_id: str, now: dt.datetime, batch: int, lease: dt.timedelta) -> list[str]:
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
            .values(lease_owner=worker_id, lease_until=now + lease)
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
    on_settled: OnSettled | None = None,
    budget_s: float | None = None,
) -> DeliveryReport:
    """Deliver every notice due now; each notice is claimed, sent and settled in its own transactions.
    With `budget_s`, no new batch is claimed after that many seconds (under a steady stream the worker's
    other jobs then still get their turn; what is left goes out next round).

    `on_settled` lets the capability that owns the notice's subject record the outcome (the case
    timeline) in the same transaction: notices knows nothing of cases.
    """
    worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    sender = send or smtp_send
    report = DeliveryReport()
    sealer = Sealer(settings.secret_key)
    started = time.monotonic()
    while budget_s is None or time.monotonic() - started < budget_s:
        now = clock.now()
        with transaction(factory) as db:
            lease = dt.timedelta(seconds=settings.outbox_lease_seconds)
            claimed = _claim(db, worker_id=worker_id, now=now, batch=batch, lease=lease)
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
                    if on_settled is not None:
                        on_settled(
                            db,
                            Settled(row.id, row.case_id, row.kind, NoticeStatus.SENT, settled_at, worker_id),
                        )
                    report.sent += 1
                elif row.attempts >= settings.outbox_max_attempts:
                    row.status, row.last_error = NoticeStatus.FAILED.value, error
                    if on_settled is not None:
                        on_settled(
                            db,
                            Settled(
                                row.id,
                                row.case_id,
                                row.kind,
                                NoticeStatus.FAILED,
                                settled_at,
                                worker_id,
                                error,
                            ),
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
