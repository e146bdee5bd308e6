"""How the server and the worker write their logs: for people (text) or for a collector (JSON lines).

MAMORI_LOG_FORMAT=json: every record of every logger (mamori, uvicorn, sqlalchemy warnings) becomes one
JSON object a line — timestamp (UTC, ISO 8601), level, logger, event, and the exception when there is
one — through structlog's formatter for the standard library's logging, so nothing needs to change
where a record is made. The access log's secrets are redacted before any formatter sees them
(mamori.web.accesslog).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """Install one handler on the root logger, in `fmt` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        shared: list[Any] = [
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ]
        handler.setFormatter(
            structlog.stdlib.ProcessorFormatter(
                foreign_pre_chain=shared,
                processors=[
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(ensure_ascii=False),
                ],
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
