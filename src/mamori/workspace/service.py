"""Use cases of the workspace: the queue in the legal clock's order (claims on cases are a rule of the
case itself: `mamori.requests.claims`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.appeals import service as appeals
from mamori.core.auth import UserRow
from mamori.core.config import Settings
from mamori.requests import service as requests
from mamori.requests.model import ClockState
from mamori.requests.service import CaseRecord as CaseRow

SORTS = ("clock", "abuse")
# Detection flags (mamori.detect Category values) that mean a person may be in danger: a threat (脅迫) or
# doxxing (address, phone, workplace exposed). Such cases head the queue whatever the clock or the score.
DANGER_FLAGS = ("threat", "privacy")


@dataclass(frozen=True)
class QueueFilter:
    """What the queue page may narrow by; empty means everything."""

    service: str = ""
    right: str = ""
    stage: str = ""
    assignee: str = ""  # a user id, "me" resolved by the page, or "none"
    trusted: str = ""  # "yes", "no" or ""
    sort: str = "clock"


@dataclass(frozen=True)
class QueueItem:
    case_id: str
    receipt_number: str
    service: str
    stage: str
    clock: ClockState
    received_at: dt.datetime
    decision_due_at: dt.datetime
    rights: list[str]
    abuse_score: float | None
    assignee: str | None
    claimed: bool
    trusted_source: str | None
    marks: list[str] = field(default_factory=list)
    final_due_at: dt.datetime | None = None
    ruling_due_at: dt.datetime | None = None  # an open objection: when its ruling is due
    ruling_late: bool = False
    danger: tuple[str, ...] = ()  # DANGER_FLAGS the abuse detection raised on the case


@dataclass(frozen=True)
class QueueView:
    items: list[QueueItem]
    counts: dict[str, int]  # per clock state, over the whole open queue
    total_open: int


def _marks(db: Session, case_ids: list[str]) -> dict[str, list[str]]:
    """Markers that change what the specialist may do next (inquiry answered or lapsed)."""
    from mamori.inquiry import service as inquiry

    return inquiry.marks_for(db, case_ids)


def open_queue(filters: QueueFilter, *, db: Session, now: dt.datetime, settings: Settings) -> QueueView:
    """Open cases, overdue first then due soonest (or by abuse score), narrowed by the filters."""
    ordered = requests.open_cases_by_clock(db=db, now=now, settings=settings)
    counts = {state.value: 0 for state in ClockState}
    for item in ordered:
        counts[item.state.value] += 1
    rows = requests.cases_by_ids(db, [i.case_id for i in ordered])
    services = service_slugs(db)
    marks = _marks(db, list(rows))
    items = []
    for item in ordered:
        row = rows[item.case_id]
        claimed = row.assignee is not None and row.claimed_until is not None and row.claimed_until > now
        holder = row.assignee if claimed else None
        if filters.service and services[row.service_id] != filters.service:
            continue
        if filters.right and filters.right not in row.rights_list:
            continue
        if filters.stage and row.stage != filters.stage:
            continue
        if filters.assignee == "none" and holder is not None:
            continue
        if filters.assignee not in ("", "none") and holder != filters.assignee:
            continue
        if filters.trusted and (row.trusted_source is not None) != (filters.trusted == "yes"):
            continue
        items.append(
            QueueItem(
                row.id,
                row.receipt_number,
                services[row.service_id],
                row.stage,
                item.state,
                row.received_at,
                row.decision_due_at,
                row.rights_list,
                row.abuse_score,
                holder,
                claimed,
                row.trusted_source,
                marks.get(row.id, []),
                item.final_due_at,
                danger=danger_flags(row.abuse_flags),
            )
        )
    rulings = appeals.rulings_due([i.case_id for i in items], db=db, settings=settings, now=now)
    items = [
        replace(i, ruling_due_at=rulings[i.case_id].due_at, ruling_late=rulings[i.case_id].late)
        if i.case_id in rulings
        else i
        for i in items
    ]
    if filters.sort == "abuse":
        items.sort(key=lambda i: -(i.abuse_score if i.abuse_score is not None else -1.0))
    else:  # a late ruling on an objection comes right after the Art. 25 deadlines missed or at risk
        urgent = (ClockState.OVERDUE, ClockState.UNDELIVERED)
        items.sort(key=lambda i: 0 if i.clock in urgent else (1 if i.ruling_late else 2))
    if settings.channels_queue_rule == "trusted_first":  # the operator's rule for trusted bodies' requests
        items.sort(key=lambda i: 0 if i.trusted_source else 1)
    # A person may be in danger: threats and doxxing come before everything, in either order (stable sort).
    items.sort(key=lambda i: 0 if i.danger else 1)
    return QueueView(items, counts, len(ordered))


def danger_flags(abuse_flags: str) -> tuple[str, ...]:
    """The danger flags among a case's stored detection flags (a JSON list), in DANGER_FLAGS order."""
    flags = json.loads(abuse_flags or "[]")
    return tuple(f for f in DANGER_FLAGS if f in flags)


def service_slugs(db: Session) -> dict[str, str]:
    """Service id → slug."""
    return {s.id: s.slug for s in requests.list_services(db)}


def staff_names(db: Session) -> dict[str, str]:
    """User id → display name, for the assignee column and filter."""
    return {u.id: u.display_name for u in db.scalars(select(UserRow).order_by(UserRow.display_name))}


def evidence_of(case: CaseRow) -> list[dict[str, str]]:
    return [dict(e) for e in json.loads(case.evidence)]
