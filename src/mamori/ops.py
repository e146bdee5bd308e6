"""Operations: readiness (/readyz) apart from liveness (/healthz), and /metrics for Prometheus.

An entry point beside the worker (it reads several capabilities' figures): the request counters and
latencies are counted by mamori.web.metrics, the job runs and failures by the worker (mamori.core
.telemetry); the queue depths and overdue cases are read from the database when /metrics is scraped.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import text

from mamori import __version__
from mamori.core.errors import DomainError
from mamori.core.jobs import QUEUES, queue_depths
from mamori.evidence import captures, kit_captures
from mamori.migrations import current_revision, head_revision
from mamori.notices import service as notices
from mamori.requests import service as requests
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession

router = APIRouter(tags=["operations"], dependencies=[PUBLIC])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/readyz")
def readyz(db: DbSession) -> Response:
    """Ready to serve: the database answers, its schema is the one this code expects, the detection
    model loads. 503 with what is wrong otherwise (a load balancer then sends no traffic here)."""
    checks: dict[str, str] = {}
    try:
        db.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = current_revision(db.connection()), head_revision()
        checks["migrations"] = (
            "ok" if current == head else f"at {current}, code expects {head}: mamori db upgrade"
        )
    except Exception as exc:  # the reason, not a traceback: an operator reads this
        checks["database"] = f"unreachable: {type(exc).__name__}"
    try:
        from mamori.detect import service as detect

        detect.detector()
        checks["model"] = "ok"
    except Exception as exc:
        checks["model"] = f"not loaded: {type(exc).__name__}: {exc}"[:300]
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "version": __version__, "checks": checks}
    return JSONResponse(body, status_code=200 if ready else 503)


def _database_figures(db: DbSession, now: object, settings: object) -> CollectorRegistry:
    registry = CollectorRegistry()
    outbox = GaugeMetricFamily(
        "mamori_outbox_notices", "Notices in the outbox, by status.", labels=["status"]
    )
    for status, count in sorted(notices.counts_by_status(db).items()):
        outbox.add_metric([status], count)
    by_state: dict[str, int] = {}
    for item in requests.open_cases_by_clock(db=db, now=now, settings=settings):  # type: ignore[arg-type]
        by_state[str(item.state)] = by_state.get(str(item.state), 0) + 1
    cases = GaugeMetricFamily(
        "mamori_open_cases", "Open removal requests, by the state of their legal clock.", labels=["clock"]
    )
    for state, count in sorted(by_state.items()):
        cases.add_metric([state], count)
    overdue = GaugeMetricFamily(
        "mamori_overdue_cases", "Open removal requests past their Art. 25 period without a notice delivered."
    )
    overdue.add_metric([], by_state.get("overdue", 0))

    jobs = GaugeMetricFamily(
        "mamori_jobs",
        "Jobs waiting (todo) or running (doing), by queue (PostgreSQL).",
        labels=["queue", "status"],
    )
    depths = queue_depths(db)
    for queue in QUEUES:
        for status in ("todo", "doing"):
            jobs.add_metric([queue, status], depths.get((queue, status), 0))
    capture_requests = GaugeMetricFamily(
        "mamori_evidence_captures", "Evidence captures asked for, by status.", labels=["status"]
    )
    for status, count in sorted(captures.counts_by_status(db).items()):
        capture_requests.add_metric([status], count)
    kit_requests = GaugeMetricFamily(
        "mamori_evidence_kit_captures",
        "Captures asked for without an account (the evidence kit), by status, until they expire.",
        labels=["status"],
    )
    for status, count in sorted(kit_captures.counts_by_status(db).items()):
        kit_requests.add_metric([status], count)

    class Figures:
        def collect(self):  # type: ignore[no-untyped-def]
            yield outbox
            yield cases
            yield overdue
            yield jobs
            yield capture_requests
            yield kit_requests

    registry.register(Figures())
    return registry


@router.get("/metrics")
def metrics(
    request: Request,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
) -> Response:
    """Prometheus text format. With MAMORI_METRICS_TOKEN set, only `Authorization: Bearer <token>`."""
    if settings.metrics_token:
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), settings.metrics_token.encode()):
            raise DomainError(
                code="metrics_token",
                status=401,
                ja="メトリクスのトークンが違います。",
                en="Wrong metrics token.",
            )
    text_out = generate_latest(REGISTRY) + generate_latest(_database_figures(db, clock.now(), settings))
    return PlainTextResponse(text_out.decode(), media_type=CONTENT_TYPE)
