"""Operations (issue 15): readiness apart from liveness, Prometheus metrics, JSON logs, several API
processes behind one address."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.core.logsetup import configure_logging
from mamori.migrations import upgrade
from tests.conftest import free_port
from tests.workspace import support


def test_readyz_says_ready_with_each_check(client: Any) -> None:
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json()["checks"] == {"database": "ok", "migrations": "ok", "model": "ok"}


def test_readyz_refuses_a_database_behind_the_code(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "20261202_1310")
    with TestClient(create_app(Settings(database_url=url, env="test", data_dir=tmp_path))) as old:
        assert old.get("/healthz").status_code == 200  # alive
        answer = old.get("/readyz")  # but not ready
    assert answer.status_code == 503
    assert "mamori db upgrade" in answer.json()["checks"]["migrations"]


def test_metrics_count_requests_by_route_and_read_the_queue(
    client: Any, db: Session, settings: Settings, clock: Any
) -> None:
    support.board(db)
    support.published_criteria(db)
    support.file(db, settings, clock.now())
    db.flush()
    client.get("/criteria")
    client.get("/status/R-0000?key=secret-key")
    text = client.get("/metrics").text
    assert 'mamori_http_requests_total{method="GET",route="/criteria",status="200"}' in text
    assert 'route="/status/{receipt_number}"' in text and "secret-key" not in text
    assert 'mamori_outbox_notices{status="pending"} 1.0' in text  # the receipt mail waits
    assert 'mamori_open_cases{clock="on_time"} 1.0' in text
    assert "mamori_overdue_cases 0.0" in text
    assert "mamori_http_request_duration_seconds_bucket" in text


def test_metrics_need_the_token_when_one_is_set(settings: Settings, clock: Any, session_factory: Any) -> None:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    guarded = settings.model_copy(update={"metrics_token": "t0ken-for-prometheus"})
    with TestClient(create_app(guarded, clock=clock, session_factory=session_factory)) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/metrics", headers={"Authorization": "Bearer t0ken-for-prometheus"}).status_code == 200


def test_json_logs_are_one_object_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging("json")
        logging.getLogger("mamori.test").warning("出力 %s", "ok")
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("mamori.test").exception("failed")
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert lines[0]["event"] == "出力 ok" and lines[0]["level"] == "warning"
    assert lines[0]["logger"] == "mamori.test" and lines[0]["timestamp"].endswith("Z")
    assert "ValueError: boom" in lines[1]["exception"]


@pytest.mark.slow
def test_serve_with_two_processes_answers_on_one_address(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    url = f"sqlite:///{tmp_path / 'two.db'}"
    upgrade(url)
    port = free_port()
    env = {**os.environ, "MAMORI_DATABASE_URL": url, "MAMORI_ENV": "test", "MAMORI_DATA_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mamori.cli",
            "serve",
            "--workers",
            "2",
            "--no-job-worker",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 180  # each process imports everything; CI machines are busy
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        answers = {httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code for _ in range(20)}
        assert answers == {200}
        children = subprocess.run(
            ["pgrep", "-P", str(proc.pid)], capture_output=True, text=True
        ).stdout.split()
        assert len(children) >= 2, "two API processes"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode in (0, -15)


def test_metrics_show_what_waits_for_a_worker(
    client: Any, db: Session, settings: Settings, clock: Any
) -> None:
    from mamori.evidence import captures
    from mamori.evidence.settings import evidence_settings
    from tests.evidence.factories import a_case, person

    specialist = person(db, "specialist", clock.now())
    ev = evidence_settings(settings).with_(allow_private_fetch=True)
    case_id = a_case(db, settings, clock.now())
    captures.request_capture(
        "case",
        case_id,
        "http://127.0.0.1:9/x",
        by=specialist.principal,
        reason="",
        db=db,
        settings=ev,
        clock=clock,
    )
    db.flush()
    text = client.get("/metrics").text
    assert 'mamori_evidence_captures{status="queued"} 1.0' in text
    # PostgreSQL: the capture's job waits in procrastinate's table; SQLite has no job table
    waiting = "1.0" if db.get_bind().dialect.name == "postgresql" else "0.0"
    assert f'mamori_jobs{{queue="captures",status="todo"}} {waiting}' in text
    assert 'mamori_jobs{queue="notices",status="doing"} 0.0' in text
