"""Benchmark of the removal-request window (issue: platform core).

Runs `mamori serve` on PostgreSQL (one process; the machine has 2 cores, one for the server and one for
this load generator), sends N removal requests with C concurrent clients, and prints requests/s and
p50/p95/p99 latency; then, in the same run, a plain psycopg loop inserting the same case rows
(one transaction per row), and the ratio. Aim: >= 500 requests/s, p99 < 100 ms. Prints; asserts nothing.

    .venv/bin/python bench/intake.py [--requests 3000] [--concurrency 16] [--database postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.factories import make_service, request_payload
from tests.support.server import ServerProcess

from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.migrations import upgrade


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def load(url: str, total: int, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)

    async def client() -> None:
        nonlocal errors
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while not queue.empty():
                n = queue.get_nowait()
                body = request_payload(service="bench-board", content_url=f"https://board.example/t/{n}")
                started = time.perf_counter()
                response = await http.post("/api/v1/removal-requests", json=body)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, errors


def psycopg_baseline(url: str, total: int, service_id: str) -> float:
    """The same case rows, inserted one transaction each by a plain psycopg loop."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        for n in range(total):
            body = request_payload()
            conn.execute(
                "INSERT INTO cases (id, receipt_number, service_id, source, lang, content_url, content_key, "
                "content_text, rights, reason, evidence, requester_sealed, requester_key, fingerprint, "
                "show_name_to_poster, declaration_true, follow_secret_sealed, election_candidate, abuse_flags, "
                "stage, period_days, received_at, decision_due_at) VALUES (%s,%s,%s,'api','ja',%s,%s,%s,%s,%s,"
                "'[]',%s,%s,%s,false,true,%s,false,'[]','received',7,%s,%s)",
                (
                    uuid.uuid4().hex,
                    f"B-{n:08d}-{uuid.uuid4().hex[:6]}",
                    service_id,
                    f"https://board.example/b/{n}",
                    uuid.uuid4().hex,
                    body["content_text"],
                    json.dumps(body["rights"]),
                    body["reason"],
                    json.dumps(body["requester"]),
                    "k",
                    "f",
                    "s",
                    now,
                    now + dt.timedelta(days=7),
                ),
            )
            conn.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    head = args.database.rpartition("/")[0]
    name = f"mamori_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{head}/{name}"
    server = None
    try:
        upgrade(url)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as db:
            service_id = make_service(db, slug="bench-board").id
        engine.dispose()
        server = ServerProcess(url).start()
        asyncio.run(load(server.url, 200, args.concurrency))  # warm-up
        elapsed, latencies, errors = asyncio.run(load(server.url, args.requests, args.concurrency))
        rss = Path(f"/proc/{server.proc.pid}/status").read_text() if server.proc else ""
        peak = next((line.split()[1] for line in rss.splitlines() if line.startswith("VmHWM")), "?")
        server.stop()
        server = None
        baseline = psycopg_baseline(url, args.requests, service_id)
        rps = args.requests / elapsed
        base_rps = args.requests / baseline
        print(f"intake on PostgreSQL: {args.requests} requests, {args.concurrency} concurrent clients")
        print(
            f"  mamori   {rps:8.1f} req/s   p50 {percentile(latencies, 0.5) * 1000:6.1f} ms   "
            f"p95 {percentile(latencies, 0.95) * 1000:6.1f} ms   p99 {percentile(latencies, 0.99) * 1000:6.1f} ms"
            f"   mean {statistics.mean(latencies) * 1000:6.1f} ms   errors {errors}   server peak RSS {peak} kB"
        )
        print(f"  psycopg  {base_rps:8.1f} rows/s (plain INSERT + COMMIT per row, one connection)")
        print(f"  ratio mamori / plain psycopg: {rps / base_rps:.2f}")
        print(
            f"  aim: >= 500 req/s and p99 < 100 ms -> {'met' if rps >= 500 and percentile(latencies, 0.99) < 0.1 else 'NOT met'}"
        )
    finally:
        if server:
            server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
