"""kill -9 of the API and of every worker under a steady load, then a restart (issue 15's check).

Real processes on loopback: `mamori serve` (no job worker in it), two `mamori worker` processes, a real
SMTP server, a page to capture. On PostgreSQL the workers are procrastinate's; on SQLite the loop.
After the restart:
- every request answered 201 is stored, whole (its received event and its receipt notice);
- every receipt notice goes out at least once, always under its own Message-ID, and a notice is
  repeated only if a worker was killed between the mail server's answer and its commit;
- the capture that was running when its worker was killed is finished, with exactly one item;
- on PostgreSQL, every job a killed worker was running finishes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.evidence.store import EvidenceCaptureRow, EvidenceItemRow
from mamori.notices.store import NoticeRow
from mamori.requests.store import CaseEventRow, CaseRow
from tests.conftest import CHROMIUM, loud_skip
from tests.evidence.factories import a_case, person
from tests.evidence.site import Site
from tests.factories import make_service, request_payload
from tests.support.server import ServerProcess
from tests.support.smtp import MailSink
from tests.support.workers import WorkerProcess

LOAD_CLIENTS = 4
PACE_S = 0.05  # a steady, bounded load: each client waits this long between requests


class Load:
    """Clients filing removal requests one after another until stopped; a request whose connection
    broke (the server died) was never answered and is not counted."""

    def __init__(self) -> None:
        self.url = ""
        self.answered: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._client, args=(n,)) for n in range(LOAD_CLIENTS)]

    def _client(self, n: int) -> None:
        sent = 0
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                sent += 1
                body = request_payload(
                    content_url=f"https://board.example/t/{n}-{sent}",
                    requester={**request_payload()["requester"], "email": f"load{n}-{sent}@example.com"},
                )
                try:
                    response = http.post(f"{self.url}/api/v1/removal-requests", json=body)
                except httpx.HTTPError:
                    time.sleep(0.05)
                    continue
                if response.status_code == 201:
                    with self.lock:
                        self.answered.append(response.json()["receipt_number"])
                time.sleep(PACE_S)

    def count(self) -> int:
        with self.lock:
            return len(self.answered)

    def wait_for(self, count: int, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < count:
            assert time.monotonic() < deadline, f"only {self.count()} requests answered"
            time.sleep(0.05)


def wait_until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


@pytest.mark.slow
@pytest.mark.browser
def test_kill_9_of_the_api_and_the_workers_under_load_loses_nothing(
    fresh_database_url: str, tmp_path: Path
) -> None:
    if not Path(CHROMIUM).exists():
        loud_skip(f"crash under load (it captures a page): no Chromium at {CHROMIUM}")
    postgres = fresh_database_url.startswith("postgresql")
    mail = MailSink()
    mail.start()
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    env = {
        "MAMORI_DATABASE_URL": fresh_database_url,
        "MAMORI_ENV": "test",
        "MAMORI_SMTP_URL": mail.url,
        "MAMORI_DATA_DIR": str(tmp_path / "data"),
        "MAMORI_OUTBOX_LEASE_SECONDS": "10",  # a killed worker's notices go out again after 10 s
        "MAMORI_OUTBOX_BACKOFF_SECONDS": "1",
        "MAMORI_ALLOW_PRIVATE_FETCH": "true",  # the page to capture is served on loopback (tests only)
        "MAMORI_CHROMIUM": CHROMIUM,
        "MAMORI_EVIDENCE_CAPTURE_TIMEOUT_S": "10",  # a killed worker's capture is taken up after 50 s
        "MAMORI_INTAKE_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path / "data")
    with transaction(factory) as db:
        make_service(db)
        specialist = person(db, "specialist", _now())
        case_id = a_case(db, settings, _now())
    logs = tmp_path / "logs"
    logs.mkdir()
    load = Load()
    api = ServerProcess(fresh_database_url, env=env, log=logs / "api.log").start()
    workers = [WorkerProcess(env, log=logs / f"worker{n}.log").start() for n in range(2)]
    site = Site().__enter__()
    try:
        load.url = api.url
        for thread in load.threads:
            thread.start()
        load.wait_for(20)
        wait_until(lambda: len(mail.messages) >= 5, 60, "the workers to send mail")
        asked = httpx.post(
            f"{api.url}/api/v1/evidence/captures",
            json={"owner_type": "case", "owner_id": case_id, "url": f"{site.base}/post"},
            headers=specialist.headers,
            timeout=10,
        )
        assert asked.status_code == 202, asked.text
        capture_id = asked.json()["id"]

        def capture_running() -> bool:
            with transaction(factory) as db:
                return db.get_one(EvidenceCaptureRow, capture_id).status == "running"

        wait_until(capture_running, 60, "a worker to start the capture")

        # ---- the crash: every process at once, in the middle of the load and of the capture
        api.kill_hard()
        for worker in workers:
            worker.kill_hard()
        at_kill = load.count()
        doing: list[int] = []
        if postgres:
            with engine.connect() as conn:
                doing = list(conn.scalars(text("SELECT id FROM procrastinate_jobs WHERE status = 'doing'")))
            assert doing, "the capture's job should have been running when its worker was killed"

        # ---- the restart, under the same load
        api = ServerProcess(fresh_database_url, env=env, log=logs / "api.log").start()
        load.url = api.url
        workers = [WorkerProcess(env, log=logs / f"worker{n}.log").start() for n in range(2)]
        load.wait_for(at_kill + 20)
        load.stop.set()
        for thread in load.threads:
            thread.join()

        def all_settled() -> bool:
            with transaction(factory) as db:
                pending = db.scalar(
                    select(NoticeRow.id)
                    .where(NoticeRow.kind == "receipt", NoticeRow.status != "sent")
                    .limit(1)
                )
                capture = db.get_one(EvidenceCaptureRow, capture_id).status
                jobs_left = 0
                if doing:
                    jobs_left = db.execute(
                        text(
                            # retried (back to todo) is not finished yet: wait for it to run
                            "SELECT count(*) FROM procrastinate_jobs"
                            " WHERE id = ANY(:ids) AND status IN ('todo', 'doing')"
                        ),
                        {"ids": doing},
                    ).scalar_one()
                return pending is None and capture == "done" and jobs_left == 0

        wait_until(
            all_settled, 180, "every notice sent, the capture done and the killed workers' jobs finished"
        )

        with transaction(factory) as db:
            stored = set(db.scalars(select(CaseRow.receipt_number)))
            assert set(load.answered) <= stored, f"lost after 201: {set(load.answered) - stored}"
            for case in db.scalars(select(CaseRow).where(CaseRow.source == "api")):
                events = Counter(db.scalars(select(CaseEventRow.kind).where(CaseEventRow.case_id == case.id)))
                notices = list(
                    db.scalars(
                        select(NoticeRow.kind).where(
                            NoticeRow.case_id == case.id, NoticeRow.kind == "receipt"
                        )
                    )
                )
                assert events["received"] == 1 and notices == ["receipt"], (
                    f"{case.receipt_number} is half-written"
                )
            every_notice = {row.message_id: row.kind for row in db.scalars(select(NoticeRow))}
            receipts = {mid for mid, kind in every_notice.items() if kind == "receipt"}
            capture = db.get_one(EvidenceCaptureRow, capture_id)
            items = list(db.scalars(select(EvidenceItemRow.id).where(EvidenceItemRow.owner_id == case_id)))
            assert capture.status == "done" and items == [capture.item_id] and capture.attempts >= 2
            if doing:
                states = db.execute(
                    text("SELECT status::text FROM procrastinate_jobs WHERE id = ANY(:ids)"), {"ids": doing}
                ).scalars()
                # a job that succeeds is deleted at once (worker option delete_jobs="successful")
                assert set(states) <= {"succeeded"}, "a job of a killed worker did not finish"
        received = Counter(str(m["Message-ID"]) for m in mail.messages)
        assert receipts <= set(received), f"never sent: {sorted(receipts - set(received))[:5]}"
        assert set(received) <= set(every_notice), "a mail went out under a Message-ID no notice has"
        repeated = {mid: n for mid, n in received.items() if n > 1}
        # only a mail in flight when its worker was killed can go out twice (2 workers x 2 jobs at once)
        assert len(repeated) <= 4, f"repeated: {repeated}"
    finally:
        load.stop.set()
        site.__exit__()
        api.stop()
        for worker in workers:
            worker.stop()
        mail.stop()
        engine.dispose()


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)
