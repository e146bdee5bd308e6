"""kill -9 of the server in the middle of a stream of requests: every 201 survives, nothing is half-written."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.notices.store import NoticeRow
from mamori.requests.store import CaseEventRow, CaseRow
from tests.factories import make_service, request_payload
from tests.support.server import ServerProcess


@pytest.mark.slow
def test_a_crash_loses_no_answered_request_and_leaves_none_half_written(
    fresh_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        make_service(db)
    server = ServerProcess(fresh_database_url, log=tmp_path / "server.log").start()
    answered: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def stream(worker: int) -> None:
        with httpx.Client(base_url=server.url, timeout=5) as http:
            n = 0
            while not stop.is_set():
                n += 1
                body = request_payload(content_url=f"https://board.example/t/{worker}-{n}")
                try:
                    response = http.post("/api/v1/removal-requests", json=body)
                except httpx.HTTPError:
                    continue  # the server died: the request may or may not have landed, it was not answered
                if response.status_code == 201:
                    with lock:
                        answered.append(response.json()["receipt_number"])

    threads = [threading.Thread(target=stream, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(answered) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill_hard()
    stop.set()
    for t in threads:
        t.join()
    assert len(answered) >= 40, "the server answered too few requests before the crash"

    with transaction(factory) as db:
        stored = set(db.scalars(select(CaseRow.receipt_number)))
        assert set(answered) <= stored, f"lost after 201: {set(answered) - stored}"
        for case_id in db.scalars(select(CaseRow.id)):
            receipts = db.scalar(
                select(func.count())
                .select_from(NoticeRow)
                .where(NoticeRow.case_id == case_id, NoticeRow.kind == "receipt")
            )
            events = db.scalar(
                select(func.count())
                .select_from(CaseEventRow)
                .where(CaseEventRow.case_id == case_id, CaseEventRow.kind == "received")
            )
            assert receipts == 1 and events == 1, f"case {case_id} is half-written"
    # and the service comes back on the same data
    again = ServerProcess(fresh_database_url, log=tmp_path / "server.log").start()
    try:
        assert httpx.get(f"{again.url}/healthz").status_code == 200
    finally:
        again.stop()
    engine.dispose()
