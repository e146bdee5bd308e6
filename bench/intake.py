"""Benchmark of the removal-request window (issue 15: intake at the database's speed).

Runs `mamori serve --workers N` on a fresh PostgreSQL database and, in the same run:

1. steady load: R removal requests from C concurrent clients (requests/s, p50/p95/p99), in rounds that
   take turns with
2. a plain psycopg loop inserting the same case rows, one INSERT + COMMIT per row, so that both see the
   same machine; the ratio is of their totals (each round's ratio is printed too);
3. a burst at 10x the steady rate (open loop: requests leave on schedule whether or not the earlier
   ones were answered): how long the window took to absorb it, the latency it saw, and the queue depth
   (receipt notices pending in the outbox) at its end;
4. the drain: the outbox's delivery job (`deliver_due` with the case hook, as the worker runs it, mail
   written to a `file:` folder) until no receipt notice is pending, and how long that took.

The load generator writes its HTTP/1.1 requests itself on keep-alive connections (`--client raw`), so it
takes little of the CPU the server shares with it; `--client httpx` uses httpx instead.

Aim (2 cores shared by the server, PostgreSQL and this load generator): >= 0.3 of the plain psycopg
loop, p99 < 100 ms at 8 concurrent clients. Prints; asserts nothing.

    .venv/bin/python bench/intake.py [--requests 2000] [--rounds 4] [--concurrency 8] [--processes 1]
                                     [--burst-factor 10 (0: none)] [--client raw|httpx]
                                     [--database postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import httpx
import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.factories import make_service, request_payload
from tests.support.server import ServerProcess

from mamori.core.audit import Actor
from mamori.core.clock import SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.operator import set_operator
from mamori.migrations import upgrade
from mamori.notices.delivery import deliver_due
from mamori.requests import service as requests_service
from mamori.requests.store import CaseRow

SECRET = "bench-secret-" + "x" * 32
PATH = "/api/v1/removal-requests"
PENDING_RECEIPTS = "SELECT count(*) FROM notices WHERE status = 'pending' AND kind = 'receipt'"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def figures(latencies: list[float]) -> str:
    ms = [v * 1000 for v in latencies]
    return (
        f"p50 {percentile(ms, 0.5):6.1f} ms   p95 {percentile(ms, 0.95):6.1f} ms   "
        f"p99 {percentile(ms, 0.99):6.1f} ms   mean {statistics.mean(ms):6.1f} ms"
    )


def peak_rss_kib(server: ServerProcess) -> int:
    """Peak resident memory of the server and its API processes, together."""
    assert server.proc is not None
    pid = server.proc.pid
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for one in pids:
        try:
            status = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)
    return total


def body_for(n: int) -> dict[str, object]:
    return request_payload(
        service="bench-board", content_url=f"https://board.example/t/{uuid.uuid4().hex}/{n}"
    )


class Connection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests and reads the answers: a load
    generator that costs little CPU, so on a machine shared with the server the figures are the server's
    (httpx costs about 1.2 ms of CPU a request here, half of what the server spends; `--client httpx`
    measures with it instead)."""

    def __init__(self, url: str) -> None:
        host, _, port = url.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: dict[str, object]) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        data = json.dumps(body, ensure_ascii=False).encode()
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n".encode()
            + data
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        if b"connection: close" in head.lower():
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class HttpxConnection:
    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=120)

    async def post(self, path: str, body: dict[str, object]) -> int:
        return (await self.http.post(path, json=body)).status_code

    async def close(self) -> None:
        await self.http.aclose()


class Client(Protocol):
    async def post(self, path: str, body: dict[str, object]) -> int: ...

    async def close(self) -> None: ...


CLIENTS: dict[str, Callable[[str], Client]] = {"raw": Connection, "httpx": HttpxConnection}


async def steady(
    url: str, total: int, concurrency: int, client_kind: str = "raw"
) -> tuple[float, list[float], int]:
    """Closed loop: each client sends its next request when the last one was answered."""
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        queue.put_nowait(n)

    async def client() -> None:
        nonlocal errors
        connection = CLIENTS[client_kind](url)
        try:
            while not queue.empty():
                body = body_for(queue.get_nowait())
                started = time.perf_counter()
                status = await connection.post(PATH, body)
                latencies.append(time.perf_counter() - started)
                errors += status != 201
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, errors


async def burst(
    url: str, total: int, rate: float, connections: int, client_kind: str = "raw"
) -> tuple[float, list[float], int]:
    """Open loop: request n is due at n / `rate` seconds whatever the answers; `connections` clients take
    the due requests in turn (a request waits while all are busy, as behind a proxy). Returns the time
    until the last was answered, each latency counted from when it was due, and the errors."""
    latencies: list[float] = []
    errors = 0
    due: asyncio.Queue[int] = asyncio.Queue()
    for n in range(total):
        due.put_nowait(n)
    started = time.perf_counter()

    async def client() -> None:
        nonlocal errors
        connection = CLIENTS[client_kind](url)
        try:
            while not due.empty():
                n = due.get_nowait()
                departure = started + n / rate
                await asyncio.sleep(max(0.0, departure - time.perf_counter()))
                try:
                    errors += await connection.post(PATH, body_for(n)) != 201
                except (OSError, asyncio.IncompleteReadError, httpx.HTTPError):
                    errors += 1
                    await connection.close()
                latencies.append(time.perf_counter() - departure)
        finally:
            await connection.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return time.perf_counter() - started, latencies, errors


def pending_receipts(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(PENDING_RECEIPTS).fetchone()
        return int(row[0]) if row else 0


def drain(database_url: str, mail_dir: Path) -> tuple[float, int]:
    """The outbox's delivery job (with the case hook, as the worker runs it) until nothing is pending."""
    settings = Settings(database_url=database_url, secret_key=SECRET, env="test", smtp_url=f"file:{mail_dir}")
    engine = make_engine(database_url)
    factory = make_sessionmaker(engine)
    sent = 0
    started = time.perf_counter()
    try:
        while True:
            report = deliver_due(
                factory, settings, SystemClock(), on_settled=requests_service.record_notice_outcome
            )
            sent += report.sent
            if report.sent + report.retried + report.failed == 0:
                break
    finally:
        engine.dispose()
    return time.perf_counter() - started, sent


def psycopg_baseline(dsn: str, total: int, service_id: str) -> float:
    """The same case rows (every column intake writes), one INSERT + COMMIT per row, one connection."""
    now = dt.datetime.now(dt.UTC)
    columns = [c.name for c in CaseRow.__table__.columns if not c.nullable or c.name == "repeat_of"]
    sql = f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})"
    sealed = "k1:" + "A" * 200  # the size of a sealed text; sealing itself is not part of the loop
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        for n in range(total):
            values = {
                "id": uuid.uuid4().hex,
                "receipt_number": f"B-{n:08d}-{uuid.uuid4().hex[:6]}",
                "service_id": service_id,
                "source": "api",
                "lang": "ja",
                "content_url": f"https://board.example/b/{n}",
                "content_key": uuid.uuid4().hex * 2,
                "rights": '["名誉権"]',
                "evidence": "[]",
                "requester_key": uuid.uuid4().hex * 2,
                "fingerprint": uuid.uuid4().hex * 2,
                "show_name_to_poster": False,
                "declaration_true": True,
                "election_candidate": False,
                "abuse_flags": "[]",
                "repeat_of": None,
                "stage": "received",
                "period_days": 7,
                "received_at": now,
                "decision_due_at": now + dt.timedelta(days=7),
            }
            conn.execute(sql, [values.get(c, sealed) for c in columns])
            conn.commit()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4, help="turns of steady load and the psycopg loop")
    parser.add_argument("--processes", type=int, default=1, help="API processes (mamori serve --workers N)")
    parser.add_argument("--burst-factor", type=float, default=10.0, help="0: no burst")
    parser.add_argument("--burst-seconds", type=float, default=1.0)
    parser.add_argument("--burst-clients", type=int, default=64, help="connections the burst arrives on")
    parser.add_argument(
        "--client", choices=sorted(CLIENTS), default="raw", help="the load generator's HTTP client"
    )
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    head = args.database.rpartition("/")[0]
    name = f"mamori_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.database, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{head}/{name}"
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    server = None
    try:
        upgrade(url)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as db:
            service_id = make_service(db, slug="bench-board").id
            # as in production after `mamori setup` (until then every notice reads the settings instead)
            set_operator(
                name_ja="ベンチ掲示板",
                name_en="Bench board",
                email="support@board.example",
                public_url="https://board.example",
                db=db,
                at=dt.datetime.now(dt.UTC),
                by=Actor.system(),
            )
        engine.dispose()
        server = ServerProcess(
            url, env={"MAMORI_SECRET_KEY": SECRET}, args=("--workers", str(args.processes))
        ).start(timeout=90)
        asyncio.run(steady(server.url, 200, args.concurrency, args.client))  # warm-up
        # Steady load and the psycopg loop take turns, round by round, so that both see the same machine
        # (on a shared 2-core machine its speed drifts within a minute); the ratio is of their totals.
        per_round = max(1, args.requests // args.rounds)
        elapsed = baseline = 0.0
        latencies: list[float] = []
        errors = 0
        round_ratios: list[float] = []
        for _ in range(args.rounds):
            took, round_latencies, round_errors = asyncio.run(
                steady(server.url, per_round, args.concurrency, args.client)
            )
            took_plain = psycopg_baseline(dsn, per_round, service_id)
            elapsed, baseline, errors = elapsed + took, baseline + took_plain, errors + round_errors
            latencies += round_latencies
            round_ratios.append(took_plain / took)
        total = per_round * args.rounds
        rps = total / elapsed
        base_rps = total / baseline
        ratio = rps / base_rps
        p99 = percentile(latencies, 0.99)
        print(
            f"intake on PostgreSQL: {total} requests, {args.concurrency} concurrent clients, "
            f"{args.processes} API process(es), {os.cpu_count()} cores, {args.client} HTTP client"
        )
        print(f"  mamori   {rps:8.1f} req/s   {figures(latencies)}   errors {errors}")
        print(f"  psycopg  {base_rps:8.1f} rows/s (plain INSERT + COMMIT of the case row, one connection)")
        print(
            f"  ratio mamori / plain psycopg: {ratio:.2f} (rounds of {per_round}: "
            f"{' '.join(f'{r:.2f}' for r in round_ratios)})"
        )
        print(
            f"  aim: >= 0.3 of psycopg and p99 < 100 ms -> {'met' if ratio >= 0.3 and p99 < 0.1 else 'NOT met'}"
        )
        if args.burst_factor > 0:
            with tempfile.TemporaryDirectory() as mail_dir:
                backlog = pending_receipts(dsn)
                backlog_s, _ = drain(url, Path(mail_dir))  # the steady run's receipts: the burst starts empty
                print(f"  steady run's receipts: {backlog} pending, drained in {backlog_s:.1f} s")
                burst_n = max(1, round(rps * args.burst_factor * args.burst_seconds))
                burst_rate = burst_n / args.burst_seconds
                absorbed, burst_latencies, burst_errors = asyncio.run(
                    burst(server.url, burst_n, burst_rate, args.burst_clients, args.client)
                )
                depth = pending_receipts(dsn)
                drain_s, drained = drain(url, Path(mail_dir))
            print(
                f"  burst x{args.burst_factor:g}: {burst_n} requests offered at {burst_rate:.0f}/s on "
                f"{args.burst_clients} connections, absorbed in {absorbed:.1f} s ({burst_n / absorbed:.0f} req/s)"
                f"   {figures(burst_latencies)}   errors {burst_errors}"
            )
            print(
                f"  queue depth at the end of the burst: {depth} receipt notices pending; drained ({drained} "
                f"sent) in {drain_s:.1f} s ({drained / drain_s if drain_s else 0:.0f} notices/s)"
            )
        print(f"  server peak RSS {peak_rss_kib(server)} kB")
    finally:
        if server:
            server.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
