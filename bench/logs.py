"""Benchmark of the log keeping on PostgreSQL, in one run:

1. ingest: N account/post events through mamori's bulk import (`service.import_file`: streamed JSON
   lines, validated per row, encrypted, blind-indexed, COPY) beside a raw COPY of the same rows (the
   same table, the same indexes, the rows as mamori stored them) — rows/s of both and the ratio;
2. the same for N IP assignments (the access provider's side);
3. latency p50/p99 of "all events of account X between t1 and t2" (service.events_of_account:
   index scan, decryption, audit) and of the lookup "who held IP x, port p at t" (service.who_held),
   at N rows in each table.

The issue's figure is at --rows 10000000 (aim: ratio >= 0.5, p99 < 20 ms); the default is modest so the
run takes minutes. PostgreSQL from MAMORI_DATABASE_URL, else MAMORI_TEST_DATABASE_URL; a scratch
database is created and dropped.

Run: .venv/bin/python bench/logs.py [--rows N] [--queries Q]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.logs import service
from mamori.migrations import upgrade

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
LEGAL = Actor("user:bench", frozenset({"legal_officer"}))


def write_events(path: Path, rows: int, accounts: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            at = T0 + dt.timedelta(seconds=i * 13)
            kind = "post" if i % 3 else "login"
            row = {
                "kind": kind,
                "account_id": f"acct-{rng.randrange(accounts)}",
                "occurred_at": at.isoformat(),
                "ip": f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                "port": rng.randrange(1024, 65536),
            }
            if kind == "post":
                row["post_id"] = f"post-{i}"
            out.write(json.dumps(row) + "\n")


def write_assignments(path: Path, rows: int) -> tuple[int, int]:
    """CGNAT: each address shared by 16 subscribers (4096 ports each), re-assigned every 6 hours."""
    addresses = max(1, rows // (16 * 8))
    with path.open("w", encoding="utf-8") as out:
        n = 0
        period = 0
        while n < rows:
            start = T0 + dt.timedelta(hours=6 * period)
            for a in range(addresses):
                for block in range(16):
                    if n >= rows:
                        break
                    row = {
                        "subscriber_id": f"sub-{(a * 16 + block + period) % (addresses * 16)}",
                        "ip": f"100.{64 + a // 65536 % 64}.{a // 256 % 256}.{a % 256}",
                        "port_start": block * 4096,
                        "port_end": block * 4096 + 4095,
                        "start": start.isoformat(),
                        "end": (start + dt.timedelta(hours=6)).isoformat(),
                    }
                    out.write(json.dumps(row) + "\n")
                    n += 1
            period += 1
    return addresses, period


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def ingest_vs_copy(url: str, settings: Settings, table: str, kind: str, path: Path, rows: int) -> None:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)

    def mamori_import() -> None:
        with transaction(factory) as db:
            service.import_file(db, path=path, kind=kind, actor=LEGAL, at=T0, settings=settings)

    cpu = time.process_time()
    mamori_s = timed(mamori_import)
    cpu_us = (time.process_time() - cpu) / rows * 1e6
    dump = path.with_suffix(".copy")
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        with dump.open("wb") as out, cur.copy(f"COPY {table} TO STDOUT") as copy:  # type: ignore[attr-defined]
            for block in copy:
                out.write(bytes(block))
        cur.execute(f"DELETE FROM {table}")
        raw.commit()

        def raw_copy() -> None:
            with dump.open("rb") as source, cur.copy(f"COPY {table} FROM STDIN") as copy:  # type: ignore[attr-defined]
                while block := source.read(1 << 20):
                    copy.write(block)
            raw.commit()

        copy_s = timed(raw_copy)
    finally:
        raw.close()
        engine.dispose()
    dump.unlink()
    m_rate, c_rate = rows / mamori_s, rows / copy_s
    print(
        f"ingest {kind:<11} {rows:>10,} rows: mamori import {m_rate:>10,.0f} rows/s   raw COPY {c_rate:>10,.0f} rows/s"
        f"   ratio {m_rate / c_rate:.2f}   (mamori's own CPU {cpu_us:.1f} µs/row)"
    )


def percentiles(times: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(times, n=100)
    return q[49], q[98]


def latency(url: str, settings: Settings, queries: int, accounts: int, addresses: int, periods: int) -> None:
    rng = random.Random(7)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    account_ms, lookup_ms, found_events, answers = [], [], 0, {"held": 0, "ambiguous": 0, "not_held": 0}
    span = dt.timedelta(days=30)
    for q in range(queries):
        db = factory()
        try:
            account = f"acct-{rng.randrange(accounts)}"
            start = T0 + dt.timedelta(days=rng.randrange(20))
            t = time.perf_counter()
            found_events += len(
                service.events_of_account(
                    db,
                    account_id=account,
                    start=start,
                    end=start + span,
                    actor=LEGAL,
                    at=T0,
                    settings=settings,
                )
            )
            account_ms.append((time.perf_counter() - t) * 1000)
            a = rng.randrange(addresses)
            ip = f"100.{64 + a // 65536 % 64}.{a // 256 % 256}.{a % 256}"
            when = T0 + dt.timedelta(seconds=rng.randrange(max(1, periods * 6 * 3600)))
            port = rng.randrange(65536) if q % 10 else None
            t = time.perf_counter()
            answers[
                service.who_held(
                    db, ip=ip, port=port, when=when, actor=LEGAL, at=T0, settings=settings
                ).status
            ] += 1
            lookup_ms.append((time.perf_counter() - t) * 1000)
        finally:
            db.rollback()
            db.close()
    engine.dispose()
    p50, p99 = percentiles(account_ms)
    print(
        f"events of account X in 30 days: p50 {p50:.2f} ms  p99 {p99:.2f} ms  "
        f"({queries} queries, {found_events / queries:.1f} events each on average, decrypted, audited)"
    )
    p50, p99 = percentiles(lookup_ms)
    print(f"who held IP x, port p at t:     p50 {p50:.2f} ms  p99 {p99:.2f} ms  (answers {answers})")


def explain(url: str, settings: Settings) -> None:
    """The plans of the two queries (index range scans, whatever the table size)."""
    from mamori.logs.keys import keyring

    engine = make_engine(url)
    with make_sessionmaker(engine)() as db:
        ring = keyring(db, settings, at=T0)
        account, ip = ring.account_ix("acct-1"), ring.ip_ix("100.64.0.1")
        queries = [
            f"SELECT * FROM logs_event WHERE account_ix = '{account}' AND occurred_at >= '{T0.isoformat()}' "
            f"AND occurred_at < '{(T0 + dt.timedelta(days=30)).isoformat()}'",
            f"SELECT * FROM logs_assignment WHERE ip_ix IN ('{ip}') AND start <= '{T0.isoformat()}' "
            f'AND ("end" IS NULL OR "end" > \'{T0.isoformat()}\')',
        ]
        for query in queries:
            plan = db.execute(text("EXPLAIN " + query)).scalars().all()
            print(
                "plan:", " / ".join(line.strip() for line in plan if "Scan" in line or "Index Cond" in line)
            )
        db.rollback()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000, help="rows per table (the issue: 10000000)")
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    base = os.environ.get("MAMORI_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        base = os.environ.get(
            "MAMORI_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        )
    name = f"mamori_bench_logs_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        settings = Settings(database_url=url, env="test")
        accounts = max(1, args.rows // 50)
        with tempfile.TemporaryDirectory() as tmp:
            events = Path(tmp) / "events.jsonl"
            write_events(events, args.rows, accounts, random.Random(1))
            ingest_vs_copy(url, settings, "logs_event", "events", events, args.rows)
            events.unlink()
            assignments = Path(tmp) / "assignments.jsonl"
            addresses, periods = write_assignments(assignments, args.rows)
            ingest_vs_copy(url, settings, "logs_assignment", "assignments", assignments, args.rows)
        with make_engine(url).connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
        latency(url, settings, args.queries, accounts, addresses, periods)
        explain(url, settings)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
