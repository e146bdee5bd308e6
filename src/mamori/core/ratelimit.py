"""A per-process sliding-window limit per client address (429 with Retry-After when exceeded).

Deliberately small: limits are per process and reset on restart; a deployment with several web
processes divides the configured rate accordingly or puts a shared limiter in front.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from mamori.core.errors import DomainError


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits[key]
            while hits and now - hits[0] > 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = int(60 - (now - hits[0])) + 1
                raise DomainError(
                    code="rate_limited",
                    status=429,
                    ja=f"短時間に送信が多すぎます。{retry}秒後にもう一度お試しください。",
                    en=f"Too many submissions; try again in {retry} seconds.",
                )
            hits.append(now)
