"""The one worker: runs the jobs and tasks each capability registers (`<capability>/jobs.py`).

Two ways to run them, chosen by the database:

- **PostgreSQL** (production): procrastinate. Scheduled jobs are its periodic tasks (one deferral per
  tick whichever worker defers it, at most one waiting per job); tasks deferred by the services
  (`core.jobs.defer`, in the caller's transaction) start at once through LISTEN/NOTIFY. Workers on any
  number of machines share them, each on the queues it is given (`mamori worker --queues notices,clocks`).
  A worker killed mid-job leaves its job `doing`: the maintenance job retries it once the worker's
  heartbeat is stale, and every job is idempotent (notices are leased and keep their Message-ID;
  captures are claimed and recorded once).
- **SQLite** (the single-machine default): one loop in this process, round after round (`tick`).

`mamori worker` runs a worker alone; `mamori serve` runs one beside the web server by default.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import importlib
import logging
import signal
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock, SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker
from mamori.core.jobs import QUEUES, Job, Task
from mamori.core.telemetry import JOB_FAILURES, JOB_RUNS
from mamori.notices.delivery import DeliveryReport
from mamori.requests.jobs import deliver_notices as deliver_due  # noqa: F401  (tests and tools deliver by hand)

log = logging.getLogger("mamori.worker")

# An exact list: a module that fails to import fails the worker's start, never silently drops its jobs.
JOB_MODULES = (
    "mamori.requests.jobs",
    "mamori.inquiry.jobs",
    "mamori.consult.jobs",
    "mamori.evidence.jobs",
    "mamori.logs.jobs",
    "mamori.disclosure.jobs",
    "mamori.hotline.jobs",
    "mamori.reposts.jobs",
    "mamori.transparency.jobs",
)
ROUND = dt.timedelta(seconds=2)  # a job with `every` 0 runs every round (every 2 s on PostgreSQL)
STALLED_AFTER_S = 30.0  # a worker silent this long is taken for dead; its jobs are retried
KEEP_FAILED_HOURS = 24 * 7  # failed jobs are kept a week to be looked at, then deleted


def registered_jobs(queues: Collection[str] | None = None) -> list[Job]:
    jobs = [job for name in JOB_MODULES for job in importlib.import_module(name).JOBS]
    return sorted((j for j in jobs if queues is None or j.queue in queues), key=lambda job: job.order)


def registered_tasks() -> list[Task]:
    return [task for name in JOB_MODULES for task in getattr(importlib.import_module(name), "TASKS", [])]


def check_queues(queues: Collection[str] | None) -> None:
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise ValueError(f"unknown queue(s) {', '.join(unknown)}; the queues are {', '.join(QUEUES)}")


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


def _run_job(job: Job, factory: sessionmaker[Session], settings: Settings, clock: Clock) -> object:
    JOB_RUNS.labels(job.name).inc()
    try:
        return job.run(factory, settings, clock)
    except Exception:
        JOB_FAILURES.labels(job.name).inc()
        raise


def tick(
    factory: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    schedule: Schedule | None = None,
    queues: Collection[str] | None = None,
) -> RoundReport:
    """One round: every job that is due runs once; one job's failure is logged and the others still run."""
    report = RoundReport()
    for job in registered_jobs(queues):
        now = clock.now()
        if schedule is not None and not schedule.due(job, now):
            continue
        try:
            report.results[job.name] = _run_job(job, factory, settings, clock)
        except Exception as exc:
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
    interval: float = ROUND.total_seconds(),
    factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
    queues: Collection[str] | None = None,
) -> None:
    """The loop (SQLite, or PostgreSQL without the job table): round after round until `stop` is set."""
    stop = stop or threading.Event()
    factory = factory or make_sessionmaker(make_engine(settings.database_url))
    clock = clock or SystemClock()
    schedule = Schedule()
    while not stop.is_set():
        tick(factory, settings, clock, schedule, queues)
        stop.wait(interval)


# ---------------------------------------------------------------- PostgreSQL: procrastinate


def uses_job_table(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "postgresql"


def cron_for(every: dt.timedelta) -> str:
    """procrastinate's cron (a sixth field counts seconds) for a job run every `every` (0: every round)."""
    seconds = int((every or ROUND).total_seconds())
    if seconds < 60:
        return f"* * * * * */{max(seconds, 1)}"
    if seconds < 3600:
        return f"*/{seconds // 60} * * * *"
    if seconds < 86400:
        return f"0 */{seconds // 3600} * * *"
    return f"0 0 */{seconds // 86400} * *"


def build_app(
    settings: Settings, factory: sessionmaker[Session] | None = None, clock: Clock | None = None
) -> Any:
    """The procrastinate app with every job (periodic) and task of every capability."""
    import procrastinate

    url = make_url(settings.database_url).set(drivername="postgresql")
    factory = factory or make_sessionmaker(make_engine(settings.database_url))
    clock = clock or SystemClock()
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=url.render_as_string(hide_password=False))
    )

    for job in registered_jobs():

        def run_scheduled(timestamp: int, job: Job = job) -> None:
            _run_job(job, factory, settings, clock)

        task = app.task(name=job.name, queue=job.queue, queueing_lock=job.name)(run_scheduled)
        app.periodic(cron=cron_for(job.every))(task)

    for deferred in registered_tasks():

        def run_deferred(task: Task = deferred, **arguments: object) -> None:
            JOB_RUNS.labels(task.name).inc()
            try:
                task.run(factory, settings, clock, arguments)
            except Exception:
                JOB_FAILURES.labels(task.name).inc()
                raise

        app.task(name=deferred.name, queue=deferred.queue)(run_deferred)

    async def maintenance(context: Any, timestamp: int) -> None:
        """Retry the jobs of workers that stopped answering (killed), and forget old failed jobs."""
        manager = context.app.job_manager
        for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_S):
            log.warning(
                "job %s (%s) was left by a stopped worker: retrying it", stalled.id, stalled.task_name
            )
            await manager.retry_job(stalled)
        await manager.delete_old_jobs(nb_hours=KEEP_FAILED_HOURS, include_failed=True)

    upkeep = app.task(
        name="jobs.maintenance", queue="maintenance", queueing_lock="jobs.maintenance", pass_context=True
    )(maintenance)
    app.periodic(cron="* * * * * */15")(upkeep)
    return app


def worker_options(queues: Collection[str] | None, concurrency: int, *, in_thread: bool) -> dict[str, Any]:
    return {
        "queues": sorted(queues) if queues else None,
        "concurrency": concurrency,
        "name": "mamori",
        "install_signal_handlers": not in_thread,  # a thread cannot; `mamori serve` stops it itself
        "shutdown_graceful_timeout": 30.0,
        "stalled_worker_timeout": STALLED_AFTER_S,
        "update_heartbeat_interval": 5.0,
        "fetch_job_polling_interval": 5.0,
        # a finished job is deleted at once (the scheduled ones alone would add thousands of rows an
        # hour); what the work became is in the capability's own rows; failed jobs stay for a week
        "delete_jobs": "successful",
    }


async def _run_procrastinate(app: Any, options: Mapping[str, Any], stop: threading.Event | None) -> None:
    async with app.open_async():
        running = asyncio.create_task(app.run_worker_async(**options))
        if stop is None:
            await running
            return
        while not stop.is_set() and not running.done():
            await asyncio.sleep(0.2)
        if not running.done():
            running.cancel()  # procrastinate stops gracefully: running jobs finish (up to the timeout)
        with contextlib.suppress(asyncio.CancelledError):
            await running


def run_worker(
    settings: Settings,
    *,
    queues: Collection[str] | None = None,
    concurrency: int = 2,
    stop: threading.Event | None = None,
    factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
    in_thread: bool = False,
) -> None:
    """Run a worker until stopped (a signal, or `stop`): procrastinate on PostgreSQL, the loop on SQLite."""
    check_queues(queues)
    if not uses_job_table(settings.database_url):
        if stop is None and not in_thread:
            # graceful: SIGTERM or Ctrl-C ends the loop after the job it is running
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())  # type: ignore[union-attr]
        run_forever(settings, stop=stop, factory=factory, clock=clock, queues=queues)
        return
    app = build_app(settings, factory, clock)
    asyncio.run(_run_procrastinate(app, worker_options(queues, concurrency, in_thread=in_thread), stop))


def run_in_background(app: object) -> threading.Event:
    """Start the worker as a daemon thread beside the web server (the single-machine default)."""
    state = app.state  # type: ignore[attr-defined]
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(state.settings,),
        kwargs={"stop": stop, "factory": state.session_factory, "clock": state.clock, "in_thread": True},
        name="mamori-worker",
        daemon=True,
    )
    thread.start()
    state.worker_stop = stop
    state.worker_thread = thread
    return stop
