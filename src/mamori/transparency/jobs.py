"""Transparency's jobs: the yearly report's figures built by a worker. On PostgreSQL each request for a
build defers its own task (`builds.BUILD_TASK`, started at once); the scheduled job takes up whatever
waits (every build on SQLite, and on PostgreSQL any build whose worker was killed, once its lease ends)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.transparency import builds


def take_up_waiting(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        waiting = builds.waiting(db, now=clock.now())
    return dict(Counter(builds.run_build(build_id, factory=factory, clock=clock) for build_id in waiting))


JOBS = [Job("transparency.builds", take_up_waiting, order=60, queue="reports")]
TASKS = [builds.BUILD_TASK]
