"""Retention and holds on both databases: what is past retention is gone, what a hold covers stays,
and once the hold ends the next purge deletes it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.logs import service
from mamori.logs.jobs import JOBS
from mamori.logs.store import AssignmentRow, EventRow, HolderRow
from tests.logs.factories import LEGAL, SOURCE, SPECIALIST, T0, assignment, event, holder

DAY = dt.timedelta(days=1)
OLD = T0 - 400 * DAY  # past the 180-day retention of events
RECENT = T0 - 10 * DAY


def _count(db: Session, table: type) -> int:
    return int(db.scalar(select(func.count()).select_from(table)) or 0)


def _events(db: Session, settings: Settings, account: str) -> list[str]:
    found = service.events_of_account(
        db, account_id=account, start=T0 - 1000 * DAY, end=T0 + DAY, actor=LEGAL, at=T0, settings=settings
    )
    return [e.post_id or e.kind for e in found]


def seed(db: Session, settings: Settings) -> None:
    rows = [
        event(account_id="held", occurred_at=OLD.isoformat(), post_id="held-old"),
        event(account_id="held", occurred_at=(OLD - 30 * DAY).isoformat(), post_id="held-before-range"),
        event(account_id="free", occurred_at=OLD.isoformat(), post_id="free-old", ip="192.0.2.9"),
        event(account_id="free", occurred_at=RECENT.isoformat(), post_id="free-recent", ip="192.0.2.9"),
    ]
    service.ingest_events(db, rows=rows, actor=SOURCE, at=OLD, settings=settings)


def test_a_hold_survives_the_purge_and_data_past_retention_is_gone(db: Session, settings: Settings) -> None:
    seed(db, settings)
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="erasure_order",
        reference="令和8年(発チ)第1号",
        account_id="held",
        start=OLD - DAY,
        end=OLD + DAY,
        settings=settings,
    )

    counts = service.purge(db, at=T0, settings=settings)

    assert counts["events"] == 2
    assert _events(db, settings, "held") == ["held-old"]  # the one outside the hold's range went
    assert _events(db, settings, "free") == ["free-recent"]


def test_a_hold_by_address_keeps_every_account_seen_there(db: Session, settings: Settings) -> None:
    seed(db, settings)
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="disclosure_request",
        reference="REQ-7",
        ip="192.0.2.9",
        settings=settings,
    )
    service.purge(db, at=T0, settings=settings)
    assert _events(db, settings, "free") == ["free-old", "free-recent"]
    assert _events(db, settings, "held") == []


def test_once_the_hold_ends_the_next_purge_deletes(db: Session, settings: Settings) -> None:
    seed(db, settings)
    released = service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="legal_officer",
        reference="memo 1",
        account_id="held",
        settings=settings,
    )
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="legal_officer",
        reference="memo 2",
        account_id="free",
        until=T0 + DAY,
        settings=settings,
    )
    service.purge(db, at=T0, settings=settings)
    assert _events(db, settings, "held") == ["held-before-range", "held-old"]
    assert _events(db, settings, "free") == ["free-old", "free-recent"]

    service.release_hold(
        db, hold_id=released, actor=LEGAL, at=T0 + DAY, reason="case closed", settings=settings
    )
    counts = service.purge(db, at=T0 + 2 * DAY, settings=settings)  # the other hold's `until` has passed

    assert counts["events"] == 3
    assert _events(db, settings, "held") == []
    assert _events(db, settings, "free") == ["free-recent"]


def test_holders_of_closed_accounts_and_ended_assignments_follow_their_own_periods(
    db: Session, settings: Settings
) -> None:
    service.ingest_holders(
        db,
        rows=[
            holder(account_id="closed-long-ago", closed_at=(T0 - 200 * DAY).isoformat()),
            holder(account_id="closed-held", closed_at=(T0 - 200 * DAY).isoformat()),
            holder(account_id="open"),
        ],
        actor=SOURCE,
        at=T0 - 300 * DAY,
        settings=settings,
    )
    service.ingest_assignments(
        db,
        rows=[
            assignment(
                subscriber_id="s-old", start=(T0 - 100 * DAY).isoformat(), end=(T0 - 95 * DAY).isoformat()
            ),
            assignment(
                subscriber_id="s-held",
                ip="198.51.100.8",
                start=(T0 - 100 * DAY).isoformat(),
                end=(T0 - 95 * DAY).isoformat(),
            ),
            assignment(subscriber_id="s-now", start=(T0 - 100 * DAY).isoformat(), end=None),
        ],
        actor=SOURCE,
        at=T0 - 100 * DAY,
        settings=settings,
    )
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="erasure_order",
        reference="X",
        account_id="closed-held",
        settings=settings,
    )
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="erasure_order",
        reference="Y",
        ip="198.51.100.8",
        start=T0 - 97 * DAY,
        end=T0 - 96 * DAY,
        settings=settings,
    )

    counts = service.purge(db, at=T0, settings=settings)

    assert counts == {"events": 0, "holders": 1, "assignments": 1}
    assert (
        service.account_holder(db, account_id="closed-long-ago", actor=LEGAL, at=T0, settings=settings)
        is None
    )
    assert (
        service.account_holder(db, account_id="closed-held", actor=LEGAL, at=T0, settings=settings)
        is not None
    )
    assert _count(db, HolderRow) == 2 and _count(db, AssignmentRow) == 2


def test_a_legal_officer_sets_a_shorter_period_the_purge_applies(db: Session, settings: Settings) -> None:
    seed(db, settings)
    service.set_retention(db, kind="events", days=5, actor=LEGAL, at=T0)
    assert service.retention_days(db, settings=settings)["events"] == 5
    service.purge(db, at=T0, settings=settings)
    assert _count(db, EventRow) == 0


def test_the_purge_job_runs_in_its_own_transaction(
    session_factory: sessionmaker[Session], db: Session, settings: Settings
) -> None:
    seed(db, settings)
    db.flush()
    (job,) = [j for j in JOBS if j.name == "logs.purge"]
    result = job.run(session_factory, settings, FixedClock(T0))
    assert result == {"events": 3, "holders": 0, "assignments": 0}  # no hold: every old event goes


def test_a_specialist_cannot_purge_or_set_retention(db: Session, settings: Settings) -> None:
    import pytest

    from mamori.core.errors import DomainError

    with pytest.raises(DomainError):
        service.purge(db, at=T0, settings=settings, actor=SPECIALIST)
    with pytest.raises(DomainError):
        service.set_retention(db, kind="events", days=5, actor=SPECIALIST, at=T0)


def test_a_hold_on_an_ipv6_prefix_keeps_its_assignments(db: Session, settings: Settings) -> None:
    old = {"start": (T0 - 100 * DAY).isoformat(), "end": (T0 - 95 * DAY).isoformat()}
    service.ingest_assignments(
        db,
        rows=[
            assignment(subscriber_id="v6", ip="2001:db8:1234:5600::/56", **old),
            assignment(subscriber_id="v4", **old),
        ],
        actor=SOURCE,
        at=T0 - 100 * DAY,
        settings=settings,
    )
    service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="erasure_order",
        reference="Z",
        ip="2001:db8:1234:5600::/56",
        settings=settings,
    )
    assert service.purge(db, at=T0, settings=settings)["assignments"] == 1
    answer = service.who_held(
        db, ip="2001:db8:1234:5601::1", port=None, when=T0 - 97 * DAY, actor=LEGAL, at=T0, settings=settings
    )
    assert answer.subscriber_id == "v6"
