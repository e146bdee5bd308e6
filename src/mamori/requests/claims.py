"""Claims on cases: who is working on a case now. Part of the case's rules, so every entry point
(page, API, CLI, job) meets the same answer: a live claim of someone else refuses the act.

A claim is taken with one conditional UPDATE, so two specialists can never hold the same case: the
database lets exactly one of two racing UPDATEs match. A claim lapses when left idle for
`Settings.claim_idle_minutes`; every action of its holder renews it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.auth import UserRow
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError, NotFound
from mamori.requests import store
from mamori.requests.model import OPEN_STAGES
from mamori.requests.store import CaseRow

_OPEN = [s.value for s in OPEN_STAGES]


def claim_idle(settings: Settings) -> dt.timedelta:
    """How long a claim lasts without its holder doing anything."""
    return dt.timedelta(minutes=settings.claim_idle_minutes)


def holder(case: CaseRow, now: dt.datetime) -> str | None:
    """The user id holding a live claim on the case, if any."""
    live = case.assignee is not None and case.claimed_until is not None and case.claimed_until > now
    return case.assignee if live else None


def _name(db: Session, user_id: str | None) -> str:
    user = db.get(UserRow, user_id) if user_id else None
    return user.display_name if user else (user_id or "?")


def _held_by_other(db: Session, user_id: str | None) -> Conflict:
    name = _name(db, user_id)
    return Conflict(
        "claimed_by_other",
        f"この申出は {name} さんが担当しています。",
        f"{name} is working on this case.",
        "case",
    )


def claim(
    case_id: str, *, db: Session, now: dt.datetime, by: Actor, user_id: str, settings: Settings
) -> dt.datetime:
    """Take (or renew) the claim on an open case; Conflict when someone else holds it."""
    stmt = (
        update(CaseRow)
        .where(
            CaseRow.id == case_id,
            CaseRow.stage.in_(_OPEN),
            or_(CaseRow.assignee.is_(None), CaseRow.assignee == user_id, CaseRow.claimed_until < now),
        )
        .values(assignee=user_id, claimed_until=now + claim_idle(settings))
        .execution_options(synchronize_session="fetch")
    )
    if db.execute(stmt).rowcount != 1:  # type: ignore[attr-defined]
        case = db.get(CaseRow, case_id)
        if case is None:
            raise NotFound("case", case_id)
        if case.stage not in _OPEN:
            raise Conflict("case_closed", "この申出は判断済みです。", "This case is not open.", "case")
        raise _held_by_other(db, case.assignee)
    store.add_event(db, case_id, now, "claimed", by.ident)
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
        store.add_event(db, case_id, now, "released", by.ident)


def require_claim(
    case_id: str, *, db: Session, now: dt.datetime, user_id: str, settings: Settings
) -> CaseRow:
    """The case, if `user_id` holds a live claim on it (the claim is renewed); otherwise a Conflict.
    The workspace asks this before its forms (claim first, then act); services use `act_on`."""
    case = db.get(CaseRow, case_id)
    if case is None:
        raise NotFound("case", case_id)
    if holder(case, now) != user_id:
        raise DomainError(
            code="claim_required",
            status=409,
            field="case",
            ja="先にこの申出を担当として確保してください (確保は一定時間操作がないと解除されます)。",
            en="Claim this case first (a claim lapses when left idle).",
        )
    case.claimed_until = now + claim_idle(settings)
    return case


def act_on(case: CaseRow, *, db: Session, now: dt.datetime, by: Actor, settings: Settings) -> None:
    """Rule for every act on a case: only the holder of a live claim acts on a claimed case; an
    unclaimed case is claimed by whoever acts (so nobody else can act at the same moment)."""
    user_id = by.user_id
    current = holder(case, now)
    if current is not None and current != user_id:
        raise _held_by_other(db, current)
    if user_id is not None and case.stage in _OPEN:
        case.assignee, case.claimed_until = user_id, now + claim_idle(settings)


def release_claims_on(case_id: str, *, db: Session) -> None:
    """Put a case back in the common queue (after a decision, an appeal, or a lapsed inquiry)."""
    db.execute(
        update(CaseRow)
        .where(CaseRow.id == case_id)
        .values(assignee=None, claimed_until=None)
        .execution_options(synchronize_session="fetch")
    )
