"""Process-wide operational counters (Prometheus), shared by the web app and the worker.

Defined once per process at import (Prometheus refuses a second metric of the same name), so any number
of apps built in one process (tests) count into the same series. The figures read from the database
(queue depths, overdue cases) are computed when /metrics is scraped (mamori.ops), not kept here.
With several API processes (`mamori serve --workers N`) each process exposes its own counters.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter(
    "mamori_http_requests_total",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "mamori_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_RUNS = Counter("mamori_job_runs_total", "Worker job runs, by job.", ["job"])
JOB_FAILURES = Counter("mamori_job_failures_total", "Worker job runs that raised, by job.", ["job"])
