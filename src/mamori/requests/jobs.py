"""The window's jobs: the Art. 25 deadline sweep, delivery of the outbox (recorded on each case's
timeline), and abuse scoring of new cases, kept off the intake path."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.notices.delivery import DeliveryReport, deliver_due
from mamori.requests import service

ROUND_BUDGET_S = 10.0  # one delivery run claims no new batch after this; the rest goes out next round


def sweep_deadlines(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> list[str]:
    with transaction(factory) as db:
        return service.sweep_deadlines(db=db, now=clock.now(), settings=settings)


def deliver_notices(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, **options: object
) -> DeliveryReport:
    """Deliver what the outbox holds; a case's notices leave `notice_sent` / `notice_failed` events."""
    options.setdefault("budget_s", ROUND_BUDGET_S)
    return deliver_due(factory, settings, clock, on_settled=service.record_notice_outcome, **options)  # type: ignore[arg-type]


def score_new_cases(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    with transaction(factory) as db:
        return service.score_unscored(db=db, settings=settings)


JOBS = [
    Job("requests.deadlines", sweep_deadlines, order=10),
    Job("notices.deliver", deliver_notices, order=20, queue="notices"),
    Job("requests.score", score_new_cases, order=90, queue="scoring"),
]
