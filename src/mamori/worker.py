"""The one worker: runs the jobs each capability registers (`<capability>/jobs.py`), round after round.

Safe on several machines at once: each job is written to be (notices are leased, sweeps are idempotent).
`mamori worker` runs it alone; `mamori serve` runs it in a thread beside the web server by default.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock, SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker
from mamori.core.jobs import Job
from mamori.core.telemetry import JOB_FAILURES, JOB_RUNS
from mamori.notices.delivery import DeliveryReport
from mamori.requests.jobs import deliver_notices as deliver_due  # noqa: F401  (tests and tools deliver by hand)

log = logging.getLogger("mamori.worker")

# An exact list: a module that fails to import fails the worker's start, never silently drops its jobs.
JOB_MODULES = (
    "mamori.requests.jobs",
    "mamori.inquiry.jobs",
    "mamori.consult.jobs",
    "mamori.logs.jobs",
    "mamori.disclosure.jobs",
    "mamori.hotline.jobs",
    "mamori.reposts.jobs",
)


def registered_jobs() -> list[Job]:
    jobs = [job for name in JOB_MODULES for job in importlib.import_module(name).JOBS]
    return sorted(jobs, key=lambda job: job.order)


@dataclass
class RoundReport:
    results: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def delivery(self) -> DeliveryReport:
        found = self.results.get("notices.deliver")
        return found if isinstance(found, DeliveryReport) else DeliveryReport()

    @property
    def deadlines_marked(self) -> list[str]:
        return list(self.results.get("requests.deadlines") or [])  # type: ignore[call-overload]

    @property
    def scored(self) -> int:
        return int(self.results.get("requests.score") or 0)  # type: ignore[call-overload]

    def __str__(self) -> str:
        text = f"{self.delivery}, deadlines missed {len(self.deadlines_marked)}, cases scored {self.scored}"
        return text + "".join(f"; {name} failed: {error}" for name, error in self.errors.items())


@dataclass
class Schedule:
    """When each job last ran (jobs with `every` > 0 wait that long between runs)."""

    last_run: dict[str, dt.datetime] = field(default_factory=dict)

    def due(self, job: Job, now: dt.datetime) -> bool:
        last = self.last_run.get(job.name)
        return last is None or now - last >= job.every


def tick(
    factory: sessionmaker[Session], settings: Settings, clock: Clock, schedule: Schedule | None = None
) -> RoundReport:
    """One round: every job that is due runs once; one job's failure is logged and the others still run."""
    report = RoundReport()
    for job in registered_jobs():
        now = clock.now()
        if schedule is not None and not schedule.due(job, now):
            continue
        JOB_RUNS.labels(job.name).inc()
        try:
            report.results[job.name] = job.run(factory, settings, clock)
        except Exception as exc:
            JOB_FAILURES.labels(job.name).inc()
            log.exception("job %s failed; it runs again next round", job.name)
            report.errors[job.name] = f"{type(exc).__name__}: {exc}"
        if schedule is not None:
            schedule.last_run[job.name] = now
    return report


def run_once(settings: Settings) -> RoundReport:
    engine = make_engine(settings.database_url)
    try:
        return tick(make_sessionmaker(engine), settings, SystemClock())
    finally:
        engine.dispose()


def run_forever(
    settings: Settings,
    stop: threading.Event | None = None,
    interval: float = 2.0,
    factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
) -> None:
    """Loop until `stop` is set."""
    stop = stop or threading.Event()
    factory = factory or make_sessionmaker(make_engine(settings.database_url))
    clock = clock or SystemClock()
    schedule = Schedule()
    while not stop.is_set():
        tick(factory, settings, clock, schedule)
        stop.wait(interval)


def run_in_background(app: object) -> threading.Event:
    """Start the worker as a daemon thread beside the web server (the single-machine default)."""
    state = app.state  # type: ignore[attr-defined]
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        kwargs={
            "settings": state.settings,
            "stop": stop,
            "factory": state.session_factory,
            "clock": state.clock,
        },
        name="mamori-worker",
        daemon=True,
    )
    thread.start()
    state.worker_stop = stop
    return stop
