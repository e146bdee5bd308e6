"""A per-process sliding-window limit per client (429 with Retry-After when exceeded).

Deliberately small: limits are per process and reset on restart; a deployment with several web
processes divides the configured rate accordingly or puts a shared limiter in front. The key is the
client address the web layer resolved (`web.deps.client_address`: the peer, or what a trusted proxy
says); an IPv6 client counts by its /64, the block one subscriber usually holds, so rotating addresses
inside it does not multiply the allowance.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import deque
from dataclasses import dataclass

from mamori.core.errors import DomainError

WINDOW_S = 60.0
# Above this many clients, those idle for a whole window are forgotten (memory stays bounded).
PRUNE_ABOVE = 10_000


@dataclass
class RateLimited(DomainError):
    """Too many requests from one client; `retry_after` seconds until the next is accepted."""

    retry_after: int = 60


def client_key(address: str) -> str:
    """What one client is counted as: its IPv4 address, or the /64 of its IPv6 address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, address: str) -> None:
        """Count one request from `address`; RateLimited (429) when it is over the limit."""
        now = time.monotonic()
        key = client_key(address)
        with self._lock:
            if len(self._hits) > PRUNE_ABOVE:
                self._prune(now)
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] > WINDOW_S:
                hits.popleft()
            if len(hits) >= self.per_minute:
                retry = int(WINDOW_S - (now - hits[0])) + 1
                raise RateLimited(
                    code="rate_limited",
                    status=429,
                    ja=f"短時間に送信が多すぎます。{retry}秒後にもう一度お試しください。",
                    en=f"Too many requests; try again in {retry} seconds.",
                    retry_after=retry,
                )
            hits.append(now)

    def _prune(self, now: float) -> None:
        idle = [key for key, hits in self._hits.items() if not hits or now - hits[-1] > WINDOW_S]
        for key in idle:
            del self._hits[key]
