"""The per-client limiter: counted per address (an IPv6 client per /64), says when to retry, forgets
idle clients so its memory stays bounded."""

from __future__ import annotations

import pytest

from mamori.core import ratelimit
from mamori.core.ratelimit import RateLimited, RateLimiter, client_key


def test_an_ipv6_client_counts_by_its_64_block() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7" == client_key("192.0.2.7")
    assert client_key("testclient") == "testclient"


def test_over_the_limit_is_a_429_that_says_when_to_retry_in_both_languages() -> None:
    limiter = RateLimiter(2)
    limiter.check("192.0.2.1")
    limiter.check("192.0.2.1")
    with pytest.raises(RateLimited) as caught:
        limiter.check("192.0.2.1")
    assert caught.value.status == 429 and 1 <= caught.value.retry_after <= 61
    assert f"{caught.value.retry_after}秒後" in caught.value.ja
    assert f"{caught.value.retry_after} seconds" in caught.value.en
    limiter.check("192.0.2.2")  # another client is not affected


def test_idle_clients_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(ratelimit.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(ratelimit, "PRUNE_ABOVE", 10)
    limiter = RateLimiter(5)
    for n in range(11):
        limiter.check(f"192.0.2.{n}")
    now[0] += 61
    limiter.check("198.51.100.1")
    assert len(limiter._hits) == 1


def test_the_api_sends_retry_after_with_a_429() -> None:
    from fastapi.testclient import TestClient

    from mamori.core.config import Settings
    from mamori.web.app import create_app

    app = create_app(Settings(database_url="sqlite://", env="test", nudge_rate_limit_per_minute=1))
    with TestClient(app) as client:
        client.post("/api/v1/nudge", json={"text": "ok"})
        refused = client.post("/api/v1/nudge", json={"text": "ok"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["retry-after"]) <= 61
    assert refused.json()["error"] == "rate_limited"
