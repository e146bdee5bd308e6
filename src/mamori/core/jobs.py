"""What a capability hands to the one worker (`mamori.worker`): named jobs on a schedule, and tasks that
are deferred with their arguments (an evidence capture, a report build).

Each capability lists them in `<capability>/jobs.py` as `JOBS` (and `TASKS`); the worker imports an
exact list of those modules. A job opens its own transactions (one per unit of work) from the session
factory, and is idempotent: it may run twice (a worker killed after the work but before it said so) and
on several machines at once.

Where the work waits is always a row of the capability's own (a notice in the outbox, a capture request
`queued`), written in the caller's transaction. `defer` adds, on PostgreSQL, a procrastinate job in the
same transaction, so that a worker starts at once (LISTEN/NOTIFY); the capability's scheduled job finds
any row whose task was lost (and is the only runner on SQLite, the single-machine default).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings

JobRun = Callable[[sessionmaker[Session], Settings, Clock], object]
TaskRun = Callable[[sessionmaker[Session], Settings, Clock, Mapping[str, object]], object]

# The queues a worker can be given (`mamori worker --queues notices,captures`).
QUEUES = {
    "notices": "mail from the outbox (Art. 25, Art. 27, receipts, alerts)",
    "clocks": "deadline sweeps: removal requests, inquiries, disclosure, follow-ups",
    "scoring": "abuse scoring of new cases and the repost bank",
    "captures": "evidence captures (headless Chromium)",
    "reports": "report builds",
    "imports": "log imports (poster logs)",
    "retention": "retention purges (consultations, poster logs)",
    "maintenance": "the job system's own upkeep (stalled jobs, old rows)",
}


@dataclass(frozen=True)
class Job:
    name: str
    run: JobRun
    every: dt.timedelta = dt.timedelta(0)  # 0: every round of the worker (every 2 s on PostgreSQL)
    order: int = 50  # lower runs first within a round (deadline sweeps before delivery)
    queue: str = "clocks"

    def __post_init__(self) -> None:
        if self.queue not in QUEUES:
            raise ValueError(f"job {self.name}: unknown queue {self.queue!r}")


@dataclass(frozen=True)
class Task:
    """Work deferred with arguments (JSON-serialisable keyword arguments)."""

    name: str
    run: TaskRun
    queue: str

    def __post_init__(self) -> None:
        if self.queue not in QUEUES:
            raise ValueError(f"task {self.name}: unknown queue {self.queue!r}")


def defer(db: Session, task: Task, **arguments: object) -> None:
    """Ask a worker to run `task` once the caller's transaction commits (never before, never if it rolls
    back). On SQLite there is no job table: the capability's scheduled job picks the row up."""
    if db.get_bind().dialect.name != "postgresql":
        return
    db.execute(
        text(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, "
            "CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1])"
        ),
        {"queue": task.queue, "task": task.name, "args": json.dumps(arguments)},
    )


def queue_depths(db: Session) -> dict[tuple[str, str], int]:
    """Jobs waiting (`todo`) and running (`doing`) per queue, from procrastinate's table on PostgreSQL
    (none on SQLite, where the work waits in each capability's own rows)."""
    if db.get_bind().dialect.name != "postgresql":
        return {}
    rows = db.execute(
        text(
            "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
            "WHERE status IN ('todo', 'doing') GROUP BY queue_name, status"
        )
    )
    return {(queue, status): count for queue, status, count in rows}


# ---------------------------------------------------------------- work rows leased to one worker
# A capability's row of work asked for by a person (an evidence capture, a report build) has the
# columns id, status (queued → running → done | failed), attempts, lease_until and requested_at. A worker
# claims it with a lease; what it records lands only while the claim is still its own, so a row whose
# worker was killed is taken up again once the lease ends, and its work is recorded at most once.

QUEUED, RUNNING = "queued", "running"


def takeable(row: Any, now: dt.datetime) -> ColumnElement[bool]:
    """Queued, or running under a lease that has ended (its worker was killed)."""
    return or_(row.status == QUEUED, and_(row.status == RUNNING, row.lease_until < now))


def held_by(row: Any, ident: str, attempt: int) -> ColumnElement[bool]:
    """Still claimed by this attempt (no other worker took it over after the lease ended)."""
    return and_(row.id == ident, row.status == RUNNING, row.attempts == attempt)


def claim(db: Session, row: Any, ident: str, *, now: dt.datetime, lease: dt.timedelta) -> int | None:
    """Lease the row to this worker; its attempt number, or None when another holds it or it is finished."""
    claimed = db.execute(
        update(row)
        .where(row.id == ident, takeable(row, now))
        .values(status=RUNNING, attempts=row.attempts + 1, lease_until=now + lease)
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return None
    return int(db.execute(select(row.attempts).where(row.id == ident)).scalar_one())


def settle(db: Session, row: Any, ident: str, attempt: int, **values: object) -> bool:
    """Record the end of this attempt (the lease is dropped), only if the claim is still its own."""
    done = db.execute(update(row).where(held_by(row, ident, attempt)).values(lease_until=None, **values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def waiting(db: Session, row: Any, *, now: dt.datetime, limit: int = 5) -> list[str]:
    """Rows a worker should take up, oldest first."""
    return list(db.scalars(select(row.id).where(takeable(row, now)).order_by(row.requested_at).limit(limit)))
