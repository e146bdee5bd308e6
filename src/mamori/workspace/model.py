"""What the workspace shows at a glance: time left before a deadline, in whole units people read.

Pure: no database, no web. The page turns a `TimeLeft` into words in its language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class TimeLeft:
    """The span between now and a deadline, rounded down to the two largest units that matter.

    `overdue` is true once the deadline has passed; the span then counts the time since it.
    """

    overdue: bool
    days: int
    hours: int
    minutes: int

    @property
    def units(self) -> list[tuple[str, int]]:
        """(unit, count) to say: days and hours when a day or more, hours and minutes under a day,
        minutes under an hour; a zero second unit is left out ("2 days", not "2 days 0 hours")."""
        if self.days:
            pair = [("day", self.days), ("hour", self.hours)]
        elif self.hours:
            pair = [("hour", self.hours), ("minute", self.minutes)]
        else:
            return [("minute", self.minutes)]
        return [pair[0]] + ([pair[1]] if pair[1][1] else [])


def time_left(due: dt.datetime, now: dt.datetime) -> TimeLeft:
    """Time left until `due` (or past it) at `now`, in whole days, hours and minutes, rounded down.

    Exactly at the deadline nothing is overdue yet (0 minutes left); a second after, it is.
    """
    if due.tzinfo is None or now.tzinfo is None:
        raise ValueError("naive datetime: every time in mamori carries its offset")
    delta = due - now
    overdue = delta < dt.timedelta(0)
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    return TimeLeft(overdue, days, hours, rest // 60)
