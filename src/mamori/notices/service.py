"""Queue notices in the caller's transaction (the outbox), record the ones the law does not require."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, Unpack, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from mamori.core.crypto import Sealer
from mamori.core.db import new_id
from mamori.notices import store
from mamori.notices.model import NoticeKind, NoticeStatus
from mamori.notices.store import NoticeRow


@dataclass(frozen=True)
class NoticeView:
    """A notice as staff and the requester's status page see it."""

    id: str
    kind: str
    recipient: str
    status: str
    subject: str
    body: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    skip_reason: str | None
    attempts: int
    last_error: str | None


def _bound(notice_id: str, field: str) -> str:
    return f"notice:{notice_id}:{field}"


class Outgoing(TypedDict):
    """A notice to write: who it goes to, in which language, what it says (sealed at rest)."""

    sealer: Sealer
    case_id: str | None
    kind: NoticeKind | str
    recipient: str
    to_address: str
    lang: str
    subject: str
    body: str
    dedupe_key: str
    at: dt.datetime
    ref: NotRequired[str | None]


def queue(db: Session, **notice: Unpack[Outgoing]) -> NoticeRow:
    """Write a notice to the outbox; a notice with the same dedupe key is never written twice."""
    existing = db.scalar(select(NoticeRow).where(NoticeRow.dedupe_key == notice["dedupe_key"]))
    if existing is not None:
        return existing
    row = NoticeRow(**outbox_values(**notice))
    db.add(row)
    db.flush()  # callers may refer to the notice (e.g. an inquiry records which mail started its window)
    return row


def queue_row(**notice: Unpack[Outgoing]) -> tuple[Table, dict[str, Any]]:
    """The notice `queue` would write, without its look-up (for a notice nothing can exist for yet, like a
    new case's receipt), as a table and a row, for a caller that writes several rows in one round trip.
    It must land in the caller's transaction, like every write to the outbox; the unique dedupe key
    still guards the table."""
    return cast(Table, NoticeRow.__table__), outbox_values(**notice)


def outbox_values(**notice: Unpack[Outgoing]) -> dict[str, Any]:
    """Every column of a pending notice (no default left to the ORM); its id is chosen here so the sealed
    fields are bound to it."""
    notice_id = new_id()
    sealer = notice["sealer"]
    return {
        "id": notice_id,
        "ref": notice.get("ref"),
        "case_id": notice["case_id"],
        "kind": str(notice["kind"]),
        "recipient": notice["recipient"],
        "dedupe_key": notice["dedupe_key"],
        "lang": notice["lang"],
        "subject": notice["subject"],
        "status": NoticeStatus.PENDING.value,
        "attempts": 0,
        "created_at": notice["at"],
        "next_attempt_at": notice["at"],
        "to_sealed": sealer.seal(notice["to_address"], bound_to=_bound(notice_id, "to")),
        "body_sealed": sealer.seal(notice["body"], bound_to=_bound(notice_id, "body")),
        "message_id": f"<{notice_id}@mamori.notices>",
    }


def record_skipped(
    db: Session,
    *,
    case_id: str,
    kind: NoticeKind | str,
    recipient: str,
    dedupe_key: str,
    reason: str,
    at: dt.datetime,
    relies_on: str | None = None,
    ref: str | None = None,
) -> NoticeRow:
    """A notice the law does not require: kept, with why and (`relies_on`) the earlier delivered notice
    the exemption rests on, so reports and audits see the gap was deliberate."""
    existing = db.scalar(select(NoticeRow).where(NoticeRow.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    row = NoticeRow(
        case_id=case_id,
        kind=str(kind),
        recipient=recipient,
        dedupe_key=dedupe_key,
        lang="ja",
        subject="",
        body_sealed="",
        status=NoticeStatus.SKIPPED.value,
        skip_reason=reason,
        relies_on=relies_on,
        ref=ref,
        created_at=at,
        next_attempt_at=at,
        message_id="",
    )
    db.add(row)
    db.flush()
    return row


def for_case(db: Session, case_id: str) -> list[NoticeRow]:
    """Every notice of a case (queued, sent, failed or skipped), oldest first."""
    return store.for_case(db, case_id)


def ids_for_case(db: Session, case_id: str) -> set[str]:
    return set(db.scalars(select(NoticeRow.id).where(NoticeRow.case_id == case_id)))


def undelivered(db: Session, case_ids: list[str], kinds: tuple[NoticeKind, ...]) -> dict[str, NoticeRow]:
    """Per case, its oldest notice of these kinds that is written but not delivered (pending or failed)."""
    if not case_ids:
        return {}
    stmt = (
        select(NoticeRow)
        .where(
            NoticeRow.case_id.in_(case_ids),
            NoticeRow.kind.in_([k.value for k in kinds]),
            NoticeRow.status.in_([NoticeStatus.PENDING.value, NoticeStatus.FAILED.value]),
        )
        .order_by(NoticeRow.created_at)
    )
    found: dict[str, NoticeRow] = {}
    for row in db.scalars(stmt):
        found.setdefault(str(row.case_id), row)
    return found


def delivered(db: Session, case_ids: list[str], kind: NoticeKind) -> list[NoticeRow]:
    """Notices of `kind` for these cases that the mail server accepted (oldest first): what a proviso
    may rely on, never one merely written (情プラ法 Art. 25(1), Art. 27 provisos)."""
    if not case_ids:
        return []
    stmt = (
        select(NoticeRow)
        .where(
            NoticeRow.case_id.in_(case_ids),
            NoticeRow.kind == kind.value,
            NoticeRow.status == NoticeStatus.SENT.value,
        )
        .order_by(NoticeRow.sent_at)
    )
    return list(db.scalars(stmt))


def exists(db: Session, dedupe_key: str) -> bool:
    return db.scalar(select(NoticeRow.id).where(NoticeRow.dedupe_key == dedupe_key)) is not None


def get(db: Session, notice_id: str) -> NoticeRow | None:
    return db.get(NoticeRow, notice_id)


def address_of(row: NoticeRow, sealer: Sealer) -> str:
    if row.to_sealed is None:
        raise ValueError(f"notice {row.id} has no address")
    return str(sealer.open(row.to_sealed, bound_to=_bound(row.id, "to")))


def body_of(row: NoticeRow, sealer: Sealer) -> str:
    return str(sealer.open(row.body_sealed, bound_to=_bound(row.id, "body"))) if row.body_sealed else ""


def view(row: NoticeRow, sealer: Sealer) -> NoticeView:
    return NoticeView(
        id=row.id,
        kind=row.kind,
        recipient=row.recipient,
        status=row.status,
        subject=row.subject,
        body=body_of(row, sealer),
        created_at=row.created_at,
        sent_at=row.sent_at,
        skip_reason=row.skip_reason,
        attempts=row.attempts,
        last_error=row.last_error,
    )


def retry(notice_id: str, *, db: Session, at: dt.datetime) -> NoticeRow:
    """Put a failed notice back in the queue (staff action)."""
    row = db.get(NoticeRow, notice_id)
    if row is None:
        from mamori.core.errors import NotFound

        raise NotFound("notice", notice_id)
    if row.status == NoticeStatus.FAILED.value:
        row.status = NoticeStatus.PENDING.value
        row.attempts = 0
        row.next_attempt_at = at
    return row


def counts_by_status(db: Session) -> dict[str, int]:
    """How many notices are in each outbox state (pending, sent, failed, skipped): for /metrics."""
    from sqlalchemy import func

    rows = db.execute(select(NoticeRow.status, func.count()).group_by(NoticeRow.status)).all()
    return {str(status): int(count) for status, count in rows}
