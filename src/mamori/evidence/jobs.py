"""Evidence's jobs: captures run by a worker. On PostgreSQL each capture request defers its own task
(`captures.CAPTURE_TASK`, started at once); the scheduled job takes up whatever waits (every capture on
SQLite, and on PostgreSQL any capture whose worker was killed, once its lease ends)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.evidence import captures
from mamori.evidence.settings import evidence_settings


def take_up_waiting(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        waiting = captures.waiting(db, now=clock.now())
    outcome: dict[str, int] = {}
    for capture_id in waiting:
        result = captures.run_capture(
            capture_id, factory=factory, settings=evidence_settings(settings), clock=clock
        )
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


JOBS = [Job("evidence.captures", take_up_waiting, order=40, queue="captures")]
TASKS = [captures.CAPTURE_TASK]
