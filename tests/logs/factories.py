"""Test data for the logs: actors of each role and rows of each kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mamori.core.audit import Actor

JST = dt.timezone(dt.timedelta(hours=9))
T0 = dt.datetime(2026, 4, 1, 10, 0, 0, tzinfo=JST)

LEGAL = Actor("user:legal", frozenset({"legal_officer"}))
SOURCE = Actor("user:source", frozenset({"log_source"}))
SPECIALIST = Actor("user:spec", frozenset({"specialist"}))
ADMIN = Actor("user:admin", frozenset({"administrator"}))
AUDITOR = Actor("user:aud", frozenset({"auditor"}))


def event(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": "post",
        "account_id": "acct-1001",
        "occurred_at": T0.isoformat(),
        "ip": "203.0.113.45",
        "port": 50123,
        "post_id": "post-1",
    }
    row.update(overrides)
    return row


def assignment(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "subscriber_id": "sub-A",
        "ip": "198.51.100.7",
        "port_start": 0,
        "port_end": 65535,
        "start": (T0 - dt.timedelta(hours=1)).isoformat(),
        "end": (T0 + dt.timedelta(hours=1)).isoformat(),
    }
    row.update(overrides)
    return row


def holder(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "account_id": "acct-1001",
        "name": "山田花子",
        "address": "東京都千代田区霞が関1-1-1",
        "phone": "090-1234-5678",
        "email": "hanako@example.jp",
    }
    row.update(overrides)
    return row
