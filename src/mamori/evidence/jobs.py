"""Evidence's jobs: captures run by a worker, staff's (`captures`) and those of the evidence kit for a
person without an account (`kit_captures`). On PostgreSQL each capture request defers its own task
(started at once); the scheduled jobs take up whatever waits (every capture on SQLite, and on PostgreSQL
any capture whose worker was killed, once its lease ends). The kit's ZIPs past their time are deleted
by a retention job."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.evidence import captures, kit_captures
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


JOBS = [Job("evidence.captures", take_up_waiting, order=40, queue="captures"), *kit_captures.JOBS]
TASKS = [captures.CAPTURE_TASK, kit_captures.KIT_CAPTURE_TASK]
