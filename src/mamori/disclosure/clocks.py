"""The clock of each matter (what it waits for, until when, how urgent) and the legal officer's queue
and matter view built from it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.disclosure import hearing, model, store
from mamori.disclosure.model import Clock, ClockState, HearingStatus, MatterKind, MatterStatus
from mamori.disclosure.service import (
    details_of,
    filing_ends_at,
    get_matter,
    may_read,
    objection_ends_at,
    order_is_final,
    poster_notice_state,
)


def clock_of(row: store.MatterRow, *, db: Session, settings: Settings, now: dt.datetime) -> Clock:
    """What the matter waits for now, until when, and how urgent (the queue's order)."""
    soon = dt.timedelta(hours=settings.due_soon_hours)
    kind = MatterKind(row.kind)
    if row.status != MatterStatus.OPEN.value:
        return Clock(ClockState.DONE, "Closed", row.closed_at)
    if kind is MatterKind.REQUEST:
        hearings = store.hearings_of(db, row.id)
        if row.granted == "yes":
            return Clock(ClockState.ACTION_DUE, "Produce the disclosure package", None)
        if not hearings:
            return Clock(ClockState.ACTION_DUE, "Hear the poster (Art. 6(1))", None)
        last = hearings[-1]
        hearing.settle_receipt(last, db)
        if last.status == HearingStatus.WAITING.value:
            if last.ends_at is None:
                return Clock(ClockState.WAITING, "Hearing mail not yet delivered", None)
            if now <= last.ends_at:
                return Clock(model.clock_state(now, last.ends_at, soon), "Poster's answer due", last.ends_at)
        return Clock(ClockState.ACTION_DUE, "Decide the request", last.ends_at)
    if kind is MatterKind.DISCLOSURE_ORDER:
        if poster_notice_state(row, db) == "due":
            return Clock(ClockState.ACTION_DUE, "Tell the objecting poster (Art. 6(2))", row.served_at)
        if row.suit_filed_at is not None and row.suit_result is None:
            return Clock(ClockState.WAITING, "Objection suit pending", None)
        ends = objection_ends_at(row, settings)
        if not order_is_final(row, settings, now):
            return Clock(ClockState.RUNNING, "Objection suit period ends", ends)
        return Clock(ClockState.ACTION_DUE, "Final: produce the disclosure package", ends)
    if kind is MatterKind.PROVISION_ORDER:
        if row.provider_id is None:
            return Clock(ClockState.ACTION_DUE, "Identify the access provider", None)
        if row.name_told_at is None:
            return Clock(
                ClockState.ACTION_DUE,
                "Give the requester the access provider's name and address",
                row.served_at,
            )
        if row.filing_notified_at is None:
            ends = model.provision_filing_ends_at(row.name_told_at)
            return Clock(
                model.clock_state(now, ends, soon), "Requester's filing against the access provider due", ends
            )
        return Clock(
            ClockState.ACTION_DUE,
            "Hand the IP address and timestamps to the access provider",
            row.filing_notified_at,
        )
    if kind is MatterKind.PRESERVATION_ORDER:
        return Clock(ClockState.WAITING, "Logs held until the case ends", None)
    return Clock(ClockState.WAITING, "Logs held for the disclosure order against us", None)


@dataclass(frozen=True)
class QueueItem:
    id: str
    number: str
    kind: str
    court: str
    case_number: str
    served_at: dt.datetime
    clock: Clock
    status: str
    marks: list[str] = field(default_factory=list)


def queue(
    *, db: Session, settings: Settings, now: dt.datetime, by: Actor, open_only: bool = True
) -> list[QueueItem]:
    """Every open matter, what needs someone now first (an Art. 6(2) notice, a lapse), then by due time."""
    may_read(by)
    items = []
    for row in store.matters(db, open_only=open_only):
        clock = clock_of(row, db=db, settings=settings, now=now)
        marks = ["hold"] if row.hold_id else []
        if row.kind == MatterKind.DISCLOSURE_ORDER.value and poster_notice_state(row, db) == "sent":
            marks.append("poster_told")
        items.append(
            QueueItem(
                row.id,
                row.number,
                row.kind,
                row.court,
                row.case_number,
                row.served_at,
                clock,
                row.status,
                marks,
            )
        )
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda i: (model.QUEUE_RANK[i.clock.state], i.clock.due_at or far, i.served_at))


@dataclass(frozen=True)
class MatterView:
    row: store.MatterRow
    details: dict[str, Any]
    clock: Clock
    steps: list[store.StepRow]
    hearings: list[store.HearingRow]
    productions: list[store.ProductionRow]
    provider: store.ProviderRow | None
    objection_ends_at: dt.datetime | None
    filing_ends_at: dt.datetime | None
    poster_notice: str | None
    final: bool


def view(matter_id: str, *, db: Session, settings: Settings, now: dt.datetime, by: Actor) -> MatterView:
    """Everything the legal officer's page shows (the sealed details opened: an audited read)."""
    may_read(by)
    row = get_matter(db, matter_id)
    details = details_of(row, settings)
    audit.record(
        db,
        at=now,
        actor=by,
        action="disclosure.read",
        subject_type="disclosure",
        subject_id=row.id,
        personal_data=True,
    )
    is_order = row.kind == MatterKind.DISCLOSURE_ORDER.value
    return MatterView(
        row=row,
        details=details,
        clock=clock_of(row, db=db, settings=settings, now=now),
        steps=store.steps_of(db, row.id),
        hearings=store.hearings_of(db, row.id),
        productions=store.productions_of(db, row.id),
        provider=db.get(store.ProviderRow, row.provider_id) if row.provider_id else None,
        objection_ends_at=objection_ends_at(row, settings) if is_order else None,
        filing_ends_at=filing_ends_at(row),
        poster_notice=poster_notice_state(row, db),
        final=order_is_final(row, settings, now) if is_order else row.granted == "yes",
    )
