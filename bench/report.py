"""Benchmark of the yearly transparency report (Art. 28) on PostgreSQL, in one run:

the whole report of one reporting year (`mamori.transparency.service.compute`: every figure, each a
GROUP BY or conditional SUM in SQL over cases, decisions, notices, extensions, appeals, inquiries,
users) over N decisions, beside one bare SQL GROUP BY over the same decisions table
(`SELECT measure, count(*) FROM decisions WHERE decided_at in the year GROUP BY measure`). Both warm,
best of --repeat runs; prints both times and the ratio (the issue's aim: within 1.5x).

The data: N cases in the year, one decision each (about 30% removals across three measures), the
receipt and the Art. 25 notice of each, an Art. 27 notice per removal, extensions (5%) with their
interim notices, appeals (2%), inquiries (5%), on five services, one to three rights per request.
Written with INSERT … SELECT generate_series, the tables keeping every index mamori's migrations make.

The issue's size is --rows 10000000; the default is modest so the run takes a few minutes.
PostgreSQL from MAMORI_DATABASE_URL, else MAMORI_TEST_DATABASE_URL; a scratch database is created and
dropped.

Run: .venv/bin/python bench/report.py [--rows N] [--repeat R]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from mamori.core.clock import JST
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.migrations import upgrade
from mamori.transparency import model, service

YEAR = 2026
START = dt.datetime(YEAR, 4, 1, tzinfo=JST)
SECONDS_IN_YEAR = 365 * 24 * 3600

FILL = [
    # five services
    """INSERT INTO services (id, slug, name_ja, name_en, created_at)
       SELECT md5('service' || s), 'service-' || s, 'サービス' || s, 'Service ' || s, :start
       FROM generate_series(1, 5) AS s""",
    """INSERT INTO criteria_versions (id, version, effective_from, published_at, created_at, created_by,
         summary_ja, summary_en)
       VALUES (md5('criteria'), 'bench.1', :start, :start, :start, 'bench', '', '')""",
    """INSERT INTO criteria_clauses (id, version_id, position, code, title_ja, title_en, text_ja, text_en,
         applies_to, measures, reason_template_ja, reason_template_en)
       SELECT md5('clause' || c), md5('criteria'), c, '2.' || c, '条項' || c, 'Clause ' || c, '本文', 'Text',
         'request', 'remove,restrict_visibility,suspend_account', '', ''
       FROM generate_series(1, 4) AS c""",
    """INSERT INTO users (id, email, display_name, roles, password_hash, active, failed_logins, created_at)
       SELECT md5('user' || u), 'specialist' || u || '@bench.example', '専門員' || u,
         CASE WHEN u % 5 = 0 THEN 'reviewer,specialist' ELSE 'specialist' END, 'x', true, 0, :start
       FROM generate_series(1, 40) AS u""",
    # the cases: received through the year, one to three rights, 20% scored by the detection
    """INSERT INTO cases (id, receipt_number, service_id, source, trusted_source, lang, content_url,
         content_key, content_text_sealed, rights, reason_sealed, evidence, requester_sealed, requester_key,
         fingerprint, show_name_to_poster, declaration_true, follow_secret_sealed, election_candidate,
         abuse_score, abuse_flags, stage, period_days, received_at, decision_due_at, requester_told_at,
         decision_told_at, decided_at)
       SELECT md5('case' || i), 'B' || i, md5('service' || (1 + i % 5)),
         CASE WHEN i % 50 = 0 THEN 'trusted' WHEN i % 997 = 0 THEN 'court' WHEN i % 3 = 0 THEN 'api' ELSE 'web' END,
         CASE WHEN i % 50 = 0 THEN '法務局' END, 'ja', 'https://board.example/' || i, md5('url' || i), '',
         CASE i % 7 WHEN 0 THEN '["名誉権"]' WHEN 1 THEN '["名誉権", "プライバシー"]' WHEN 2 THEN '["名誉感情"]'
           WHEN 3 THEN '["プライバシー", "肖像権"]' WHEN 4 THEN '["私生活の平穏"]' WHEN 5 THEN '["営業権"]'
           ELSE '["名誉権", "名誉感情", "その他"]' END,
         '', '[]', '', md5('requester' || (i % 100000)), md5('fp' || i), false, true, '', false,
         CASE WHEN i % 5 = 0 THEN (i % 100) / 100.0 END, '[]', 'decided', 7, r.at,
         r.at + interval '7 days', r.at + (i % 240) * interval '1 hour', r.at + (i % 240) * interval '1 hour',
         r.at + (i % 200) * interval '1 hour'
       FROM generate_series(1, :rows) AS i,
         LATERAL (SELECT CAST(:start AS timestamptz) + ((CAST(i AS bigint) * 7919) % :span) * interval '1 second' AS at) AS r""",
    # one decision per case
    """INSERT INTO decisions (id, case_id, measure, criteria_version_id, clause_code, reason, decided_at,
         decided_by, basis)
       SELECT md5('decision' || i), md5('case' || i),
         CASE WHEN i % 10 < 7 THEN 'no_action' WHEN i % 10 < 9 THEN 'remove'
           WHEN i % 20 = 9 THEN 'restrict_visibility' ELSE 'suspend_account' END,
         md5('criteria'), CASE WHEN i % 10 >= 7 THEN '2.' || (1 + i % 4) END, '理由は十分に具体的です。',
         c.decided_at, 'user:' || md5('user' || (1 + i % 40)), CASE WHEN i % 50 = 7 THEN 'appeal_by_poster' ELSE 'review' END
       FROM generate_series(1, :rows) AS i JOIN cases AS c ON c.id = md5('case' || i)""",
    # extensions (5%), with their interim notices
    """INSERT INTO extensions (id, case_id, ground, reason, recorded_at, recorded_by)
       SELECT md5('extension' || i), md5('case' || i),
         CASE i % 3 WHEN 0 THEN 'hearing_poster' WHEN 1 THEN 'specialist_investigation' ELSE 'unavoidable' END,
         '', c.received_at + interval '2 days', 'user:bench'
       FROM generate_series(20, :rows, 20) AS i JOIN cases AS c ON c.id = md5('case' || i)""",
    # notices: each receipt, each Art. 25 decision notice (2% not owed), each Art. 27 notice, each interim
    """INSERT INTO notices (id, case_id, kind, recipient, dedupe_key, lang, subject, body_sealed, status,
         ref, created_at, attempts, next_attempt_at, message_id)
       SELECT md5('receipt' || i), c.id, 'receipt', 'requester', 'r' || i, 'ja', '', '', 'sent', NULL,
         c.received_at, 1, c.received_at, 'm'
       FROM generate_series(1, :rows) AS i JOIN cases AS c ON c.id = md5('case' || i)""",
    """INSERT INTO notices (id, case_id, kind, recipient, dedupe_key, lang, subject, body_sealed, status,
         ref, created_at, attempts, next_attempt_at, message_id)
       SELECT md5('n25-' || i), d.case_id, 'requester_decision', 'requester', 'd' || i, 'ja', '', '',
         CASE WHEN i % 50 = 3 THEN 'skipped' ELSE 'sent' END, d.id, d.decided_at, 1, d.decided_at, 'm'
       FROM generate_series(1, :rows) AS i JOIN decisions AS d ON d.id = md5('decision' || i)""",
    """INSERT INTO notices (id, case_id, kind, recipient, dedupe_key, lang, subject, body_sealed, status,
         ref, created_at, attempts, next_attempt_at, message_id)
       SELECT md5('n27-' || d.id), d.case_id, 'poster_measure', 'poster', 'p' || d.id, 'ja', '', '',
         'sent', d.id, d.decided_at, 1, d.decided_at, 'm'
       FROM decisions AS d WHERE d.measure <> 'no_action'""",
    """INSERT INTO notices (id, case_id, kind, recipient, dedupe_key, lang, subject, body_sealed, status,
         ref, created_at, attempts, next_attempt_at, message_id)
       SELECT md5('interim' || e.id), e.case_id, 'requester_interim', 'requester', 'i' || e.id, 'ja', '', '',
         'sent', e.id, e.recorded_at, 1, e.recorded_at, 'm'
       FROM extensions AS e""",
    # appeals (2%): half ruled, a third of those reversed
    """INSERT INTO appeals (id, case_id, decision_id, side, reasons, filed_at, ruled_at, ruling_decision_id,
         ruled_by)
       SELECT md5('appeal' || i), md5('case' || i), md5('decision' || i),
         CASE WHEN i % 100 < 50 THEN 'poster' ELSE 'requester' END, '納得できません。',
         d.decided_at + interval '1 day', CASE WHEN i % 4 = 0 THEN d.decided_at + interval '3 days' END,
         CASE WHEN i % 4 = 0 THEN md5('decision' || (i + CASE WHEN i % 12 = 0 THEN 1 ELSE 10 END)) END,
         CASE WHEN i % 4 = 0 THEN 'user:bench' END
       FROM generate_series(50, :rows - 20, 50) AS i JOIN decisions AS d ON d.id = md5('decision' || i)""",
    # inquiries (5%), one per extension on hearing the poster and more
    """INSERT INTO inquiries (id, case_id, status, window_days, election_rule, name_shown, notice_id,
         token_hash, created_at, created_by, answer_reason)
       SELECT md5('inquiry' || i), md5('case' || i),
         CASE i % 4 WHEN 0 THEN 'waiting' WHEN 1 THEN 'consented' WHEN 2 THEN 'objected' ELSE 'lapsed' END,
         7, false, false, md5('receipt' || i), md5('token' || i), c.received_at + interval '1 day', 'user:bench', ''
       FROM generate_series(20, :rows, 20) AS i JOIN cases AS c ON c.id = md5('case' || i)""",
]

BARE = text(
    "SELECT measure, count(*) FROM decisions WHERE decided_at >= :start AND decided_at < :end GROUP BY measure"
)


def scratch_database() -> tuple[str, Callable[[], None]]:
    base = os.environ.get("MAMORI_DATABASE_URL") or os.environ.get("MAMORI_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        raise SystemExit("set MAMORI_DATABASE_URL (or MAMORI_TEST_DATABASE_URL) to a PostgreSQL server")
    name = f"mamori_bench_report_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(base).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


def fill(engine: Engine, rows: int) -> float:
    began = time.perf_counter()
    params = {"rows": rows, "start": START, "span": SECONDS_IN_YEAR}
    with engine.begin() as conn:
        for statement in FILL:
            conn.execute(text(statement), params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - began


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000, help="decisions (the issue's size: 10000000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    args = parser.parse_args()
    url, drop = scratch_database()
    try:
        upgrade(url)
        engine = make_engine(url)
        seconds = fill(engine, args.rows)
        print(
            f"filled {args.rows:,} cases and decisions (with their notices, extensions, appeals, inquiries) in {seconds:.1f} s"
        )
        factory = make_sessionmaker(engine)
        start, end = model.reporting_period(YEAR)
        at = end + dt.timedelta(days=30)

        def report() -> dict[str, object]:
            with transaction(factory) as db:
                return service.compute(YEAR, db=db, at=at)

        def bare() -> list[object]:
            with engine.connect() as conn:
                return list(conn.execute(BARE, {"start": start, "end": end}))

        report(), bare()  # warm the caches once
        report_s, figures = best_of(args.repeat, report)
        bare_s, counts = best_of(args.repeat, bare)
        assert isinstance(figures, dict)
        total = sum(int(n) for _m, n in counts)  # type: ignore[union-attr, misc]
        assert total == figures["decisions"]["total"], (total, figures["decisions"]["total"])  # type: ignore[index]
        print(f"decisions in reporting year {YEAR}: {total:,} (the rest fall in April of the next year)")
        print(f"yearly report (every figure)      {report_s * 1000:>10.1f} ms")
        print(f"bare GROUP BY over decisions       {bare_s * 1000:>10.1f} ms")
        print(f"ratio report / bare GROUP BY       {report_s / bare_s:>10.2f} x   (aim: within 1.5x)")
        engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
