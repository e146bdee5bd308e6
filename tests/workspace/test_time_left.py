"""Time left before a deadline, at its edges (pure: no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.core.clock import JST
from mamori.workspace.model import TimeLeft, time_left

DUE = dt.datetime(2026, 3, 10, 17, 0, tzinfo=JST)


def at(**delta: float) -> dt.datetime:
    """A moment `delta` before the deadline (negative: after it)."""
    return DUE - dt.timedelta(**delta)


def test_two_days_five_hours_left_is_said_in_days_and_hours() -> None:
    left = time_left(DUE, at(days=2, hours=5, minutes=59, seconds=59))
    assert left == TimeLeft(False, 2, 5, 59)
    assert left.units == [("day", 2), ("hour", 5)]


def test_exactly_at_the_deadline_is_not_yet_overdue() -> None:
    left = time_left(DUE, DUE)
    assert not left.overdue and left.units == [("minute", 0)]


def test_one_second_after_the_deadline_is_overdue() -> None:
    left = time_left(DUE, at(seconds=-1))
    assert left.overdue and left.units == [("minute", 0)]


def test_three_hours_overdue_leaves_out_zero_minutes() -> None:
    left = time_left(DUE, at(hours=-3))
    assert left.overdue and left.units == [("hour", 3)]


def test_whole_days_leave_out_zero_hours() -> None:
    assert time_left(DUE, at(days=3)).units == [("day", 3)]


def test_under_a_day_is_said_in_hours_and_minutes() -> None:
    assert time_left(DUE, at(hours=23, minutes=59)).units == [("hour", 23), ("minute", 59)]


def test_under_an_hour_is_said_in_minutes_rounded_down() -> None:
    assert time_left(DUE, at(minutes=59, seconds=59)).units == [("minute", 59)]


def test_offsets_do_not_matter_only_the_instant() -> None:
    assert time_left(DUE, DUE.astimezone(dt.UTC) - dt.timedelta(hours=1)).units == [("hour", 1)]


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        time_left(DUE, dt.datetime(2026, 3, 10, 12, 0))
