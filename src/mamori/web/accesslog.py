"""Nothing secret in the access log: follow keys and tokens in addresses are written as [redacted].

A requester follows a case at /status/<n>?key=…, a poster answers at /poster/<id>?key=… and
/inquiry/answer/<token>: whoever holds such an address reads the case. A person without an account
follows the capture they asked for at /evidence/kit/captures/<token> (and its download). Uvicorn logs every address it
serves; this filter rewrites those records before any handler sees them.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"
# A query parameter whose name says it is a key, token, secret or password (key=, api_key=, token=…).
_SECRET_QUERY = re.compile(r"([?&;][^=&;#\s]*(?:key|token|secret|password|sig)[^=&;#\s]*=)[^&;#\s\"]*", re.I)
# The same inside a percent-encoded address (a `next=` that carries one): %3Fkey%3D… up to %26.
_SECRET_QUERY_ENCODED = re.compile(
    r"((?:%3F|%26)[\w.\-]*(?:key|token|secret|password|sig)[\w.\-]*%3D)(?:(?!%26)[^&;#\s\"])*", re.I
)
# Paths whose last part is the secret itself.
_SECRET_PATH = re.compile(r"(/inquiry/answer/|/evidence/kit/captures/)[^/?#\s\"]+")


def redact(text: str) -> str:
    """`text` with secret query values and path tokens replaced by [redacted]."""
    for pattern in (_SECRET_QUERY, _SECRET_QUERY_ENCODED, _SECRET_PATH):
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a log record's arguments (uvicorn passes the address as one) and plain messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str) and not record.args:
            record.msg = redact(record.msg)
        return True


def install_access_log_redaction() -> None:
    """Adds the filter to uvicorn's access logger, once per process."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
