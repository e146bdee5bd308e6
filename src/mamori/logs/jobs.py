"""The logs' jobs: the retention purge (never deleting what a hold covers), and log files imported by a
worker. On PostgreSQL each import defers its own task (`imports.IMPORT_TASK`, started at once); the
scheduled job takes up whatever waits (every import on SQLite, and on PostgreSQL any import whose worker
was killed, once its lease ends)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.logs import imports, service


def purge_expired(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        return service.purge(db, at=clock.now(), settings=settings)


def take_up_imports(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        waiting = imports.waiting(db, now=clock.now())
    outcome: dict[str, int] = {}
    for import_id in waiting:
        result = imports.run_import(import_id, factory=factory, settings=settings, clock=clock)
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


JOBS = [
    Job("logs.purge", purge_expired, every=dt.timedelta(hours=1), order=80, queue="retention"),
    Job("logs.imports", take_up_imports, order=60, queue="imports"),
]
TASKS = [imports.IMPORT_TASK]
