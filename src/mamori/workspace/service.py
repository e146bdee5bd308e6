"""Use cases of the workspace: the queue in the legal clock's order, and claims on cases.

A claim is taken with one conditional UPDATE, so two specialists can never hold the same case: the
database lets exactly one of two racing UPDATEs match. A claim lapses when left idle for
`Settings.claim_idle_minutes`; every action of its holder renews it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.auth import UserRow
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError
from mamori.requests import service as requests
from mamori.requests.model import OPEN_STAGES, ClockState
from mamori.requests.store import CaseRow

SORTS = ("clock", "abuse")


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
    rows = {r.id: r for r in db.scalars(select(CaseRow).where(CaseRow.id.in_([i.case_id for i in ordered])))}
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
            )
        )
    if filters.sort == "abuse":
        items.sort(key=lambda i: -(i.abuse_score if i.abuse_score is not None else -1.0))
    return QueueView(items, counts, len(ordered))


def claim_idle(settings: Settings) -> dt.timedelta:
    """How long a claim lasts without its holder doing anything."""
    return dt.timedelta(minutes=settings.claim_idle_minutes)


def claim(
    case_id: str, *, db: Session, now: dt.datetime, by: Actor, user_id: str, settings: Settings
) -> dt.datetime:
    """Take (or renew) the claim on an open case; Conflict when someone else holds it."""
    stmt = (
        update(CaseRow)
        .where(
            CaseRow.id == case_id,
            CaseRow.stage.in_([s.value for s in OPEN_STAGES]),
            or_(CaseRow.assignee.is_(None), CaseRow.assignee == user_id, CaseRow.claimed_until < now),
        )
        .values(assignee=user_id, claimed_until=now + claim_idle(settings))
        .execution_options(synchronize_session="fetch")
    )
    if db.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
        case = requests.get_case_row(db, case_id)
        if case.stage not in [s.value for s in OPEN_STAGES]:
            raise Conflict("case_closed", "この申出は判断済みです。", "This case is not open.", "case")
        holder = _name(db, case.assignee)
        raise Conflict(
            "claimed_by_other",
            f"この申出は {holder} さんが担当しています。",
            f"{holder} is working on this case.",
            "case",
        )
    requests.record_event(db, case_id, now, "claimed", by.ident)
    audit.record(db, at=now, actor=by, action="case.claimed", subject_type="case", subject_id=case_id)
    return now + claim_idle(settings)


def release(case_id: str, *, db: Session, now: dt.datetime, by: Actor, user_id: str) -> None:
    """Give a claim back (only its holder can)."""
    stmt = (
        update(CaseRow)
        .where(CaseRow.id == case_id, CaseRow.assignee == user_id)
        .values(assignee=None, claimed_until=None)
        .execution_options(synchronize_session="fetch")
    )
    if db.execute(stmt).rowcount == 1:  # type: ignore[attr-defined]
        requests.record_event(db, case_id, now, "released", by.ident)


def require_claim(
    case_id: str, *, db: Session, now: dt.datetime, user_id: str, settings: Settings
) -> CaseRow:
    """The case, if `user_id` holds a live claim on it (the claim is renewed); otherwise a Conflict."""
    case = requests.get_case_row(db, case_id)
    if case.assignee != user_id or case.claimed_until is None or case.claimed_until <= now:
        raise DomainError(
            code="claim_required",
            status=409,
            field="case",
            ja="先にこの申出を担当として確保してください (確保は一定時間操作がないと解除されます)。",
            en="Claim this case first (a claim lapses when left idle).",
        )
    case.claimed_until = now + claim_idle(settings)
    return case


def release_claims_on(case_id: str, *, db: Session) -> None:
    """Put a case back in the common queue (after a decision, an appeal, or a lapsed inquiry)."""
    db.execute(
        update(CaseRow)
        .where(CaseRow.id == case_id)
        .values(assignee=None, claimed_until=None)
        .execution_options(synchronize_session="fetch")
    )


def _name(db: Session, user_id: str | None) -> str:
    user = db.get(UserRow, user_id) if user_id else None
    return user.display_name if user else (user_id or "?")


def service_slugs(db: Session) -> dict[str, str]:
    """Service id → slug."""
    return {s.id: s.slug for s in requests.list_services(db)}


def staff_names(db: Session) -> dict[str, str]:
    """User id → display name, for the assignee column and filter."""
    return {u.id: u.display_name for u in db.scalars(select(UserRow).order_by(UserRow.display_name))}


def related_cases(case: CaseRow, *, db: Session) -> dict[str, list[CaseRow]]:
    """Other cases about the same content, or from the same requester (keyed hashes, no clear text)."""
    same_content = db.scalars(
        select(CaseRow).where(CaseRow.content_key == case.content_key, CaseRow.id != case.id)
    ).all()
    same_requester = db.scalars(
        select(CaseRow).where(CaseRow.requester_key == case.requester_key, CaseRow.id != case.id)
    ).all()
    return {"content": list(same_content), "requester": list(same_requester)}


def evidence_of(case: CaseRow) -> list[dict[str, str]]:
    return [dict(e) for e in json.loads(case.evidence)]
