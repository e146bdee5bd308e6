"""The one time source. Stored times are UTC; people see JST."""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class FixedClock:
    """A clock the tests set and move by hand, so no test sleeps."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = to_utc(at)

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = to_utc(at)

    def advance(self, **delta: float) -> dt.datetime:
        self._at = self._at + dt.timedelta(**delta)
        return self._at


def to_utc(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime: every time in mamori carries its offset")
    return at.astimezone(UTC)


def to_jst(at: dt.datetime) -> dt.datetime:
    return to_utc(at).astimezone(JST)


def format_jst(at: dt.datetime, lang: str = "ja") -> str:
    """A time as people read it: 2026年11月23日 21:05:09 (JST) / 2026-11-23 21:05:09 JST."""
    local = to_jst(at)
    if lang.startswith("ja"):  # ja and ja-easy (やさしい日本語) read dates the same way
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S} (日本時間)"
    return f"{local:%Y-%m-%d %H:%M:%S} JST"
