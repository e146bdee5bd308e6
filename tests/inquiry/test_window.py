"""The inquiry window at its edges (情プラ法 Art. 3(2)(ii): 7 days; Art. 4: 2 days for election material)."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.core.clock import JST
from mamori.inquiry.model import lapsed, window_days, window_ends_at


def jst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def last_instant(y: int, m: int, d: int) -> dt.datetime:
    return jst(y, m, d, 23, 59, 59, 999999).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("received", "days", "ends"),
    [
        (jst(2026, 4, 1, 23, 59, 59), 7, last_instant(2026, 4, 8)),  # received late in the day: not counted
        (jst(2026, 4, 2, 0, 0, 0), 7, last_instant(2026, 4, 8)),  # 0:00 sharp counts its own day
        (jst(2026, 4, 2, 0, 0, 1), 7, last_instant(2026, 4, 9)),
        (jst(2026, 4, 1, 10, 0), 2, last_instant(2026, 4, 3)),  # the election rule
        (jst(2026, 4, 1, 23, 59, 59), 2, last_instant(2026, 4, 3)),
        (
            dt.datetime(2026, 4, 1, 15, 30, tzinfo=dt.UTC),
            7,
            last_instant(2026, 4, 9),
        ),  # UTC 15:30 = JST next day
    ],
)
def test_window_ends_at_the_end_of_its_last_day_in_japan(
    received: dt.datetime, days: int, ends: dt.datetime
) -> None:
    assert window_ends_at(received, days) == ends


def test_inquiry_window_is_two_days_only_when_all_three_election_facts_hold() -> None:
    assert window_days(candidate_request=True, election_material=True, during_campaign=True) == 2
    assert window_days(candidate_request=True, election_material=True, during_campaign=False) == 7
    assert window_days(candidate_request=True, election_material=False, during_campaign=True) == 7
    assert window_days(candidate_request=False, election_material=True, during_campaign=True) == 7


def test_window_has_not_started_before_the_poster_receives_the_mail() -> None:
    ends = window_ends_at(jst(2026, 4, 1, 12), 7)
    assert not lapsed(now=jst(2030, 1, 1), ends_at=None)
    assert not lapsed(now=ends, ends_at=ends)
    assert lapsed(now=ends + dt.timedelta(microseconds=1), ends_at=ends)
