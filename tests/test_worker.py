"""The one worker: every capability's jobs on named queues, procrastinate on PostgreSQL and the loop on
SQLite, a worker taking only the queues it is given, a clean stop."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select

from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.jobs import QUEUES
from mamori.notices.store import NoticeRow
from mamori.requests import service
from mamori.worker import build_app, cron_for, registered_jobs, registered_tasks, run_worker
from tests.factories import make_service, request_payload
from tests.support.smtp import MailSink


def test_every_job_and_task_is_on_a_known_queue_and_has_a_schedule() -> None:
    jobs, tasks = registered_jobs(), registered_tasks()
    assert {"notices.deliver", "requests.deadlines", "evidence.captures", "logs.purge", "logs.imports"} <= {
        j.name for j in jobs
    }
    assert {"evidence.capture", "transparency.build", "logs.import"} <= {t.name for t in tasks}
    assert {j.queue for j in jobs} | {t.queue for t in tasks} <= set(QUEUES)
    assert registered_jobs(["notices"]) == [j for j in jobs if j.name == "notices.deliver"]
    assert cron_for(dt.timedelta(0)) == "* * * * * */2"
    assert cron_for(dt.timedelta(minutes=5)) == "*/5 * * * *"
    assert cron_for(dt.timedelta(hours=1)) == "0 */1 * * *"
    assert cron_for(dt.timedelta(days=1)) == "0 0 */1 * *"


def test_the_procrastinate_app_knows_every_job_its_schedule_and_its_upkeep() -> None:
    app = build_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", env="test"))
    names = set(app.tasks)
    assert {j.name for j in registered_jobs()} | {"evidence.capture", "jobs.maintenance"} <= names
    periodic = {
        task.name for task, _ in ((p.task, p.cron) for p in app.periodic_registry.periodic_tasks.values())
    }
    assert {j.name for j in registered_jobs()} | {"jobs.maintenance"} == periodic
    deliver = app.tasks["notices.deliver"]
    assert deliver.queue == "notices" and deliver.queueing_lock == "notices.deliver"


def test_an_unknown_queue_is_refused_with_the_list_of_queues(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mamori.cli", "worker", "--queues", "notices,mail"],
        capture_output=True,
        text=True,
        env={"MAMORI_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "MAMORI_ENV": "test", "PATH": ""},
        check=False,
    )
    assert result.returncode == 2
    assert "unknown queue(s) mail" in result.stderr and "notices, clocks" in result.stderr


def test_a_worker_takes_only_its_queues_and_stops_cleanly(fresh_database_url: str, tmp_path: Path) -> None:
    """On PostgreSQL this is procrastinate (periodic deferral, LISTEN/NOTIFY); on SQLite the loop."""
    mail = MailSink()
    mail.start()
    settings = Settings(
        database_url=fresh_database_url, env="test", smtp_url=mail.url, data_dir=tmp_path / "data"
    )
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    try:
        with transaction(factory) as db:
            make_service(db)
            body = request_payload()
            form = service.RequestForm(**{**body, "requester": service.Requester(**body["requester"])})
            service.file_request(
                form, db=db, settings=settings, at=dt.datetime.now(dt.UTC), by=Actor("public:test")
            )

        def run_for(queues: list[str], seconds: float) -> None:
            stop = threading.Event()
            thread = threading.Thread(
                target=run_worker,
                args=(settings,),
                kwargs={"queues": queues, "stop": stop, "in_thread": True},
            )
            thread.start()
            time.sleep(seconds)
            stop.set()
            thread.join(timeout=40)
            assert not thread.is_alive(), "the worker did not stop when asked"

        run_for(["clocks", "scoring"], 5)
        assert mail.messages == []  # a worker without the notices queue sends nothing
        with transaction(factory) as db:
            assert db.scalar(select(NoticeRow.status).where(NoticeRow.kind == "receipt")) == "pending"
        run_for(["notices"], 6)
        (receipt,) = mail.wait_for(1, timeout=5)
        assert "hanako@example.com" in str(receipt["To"])
        with transaction(factory) as db:
            assert db.scalar(select(NoticeRow.status).where(NoticeRow.kind == "receipt")) == "sent"
    finally:
        mail.stop()
        engine.dispose()


def test_sigterm_lets_a_worker_process_finish_and_exit_cleanly(
    fresh_database_url: str, tmp_path: Path
) -> None:
    from tests.support.workers import WorkerProcess

    env = {"MAMORI_DATABASE_URL": fresh_database_url, "MAMORI_ENV": "test", "MAMORI_DATA_DIR": str(tmp_path)}
    log = tmp_path / "worker.log"
    worker = WorkerProcess(env, log=log).start()
    deadline = time.monotonic() + 90  # importing everything takes a while on a busy machine
    while "mamori worker: started" not in (log.read_text() if log.exists() else ""):
        assert time.monotonic() < deadline and worker.alive, log.read_text()[-2000:]
        time.sleep(0.2)
    time.sleep(3)  # some rounds of jobs run
    assert worker.alive, (tmp_path / "worker.log").read_text()[-2000:]
    assert worker.stop(timeout=40) == 0, (tmp_path / "worker.log").read_text()[-2000:]
