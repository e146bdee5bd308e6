"""The appeal periods as pure rules: counted like every period in mamori (民法 Art. 140/141, JST)."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.appeals import model
from mamori.core.clock import JST
from mamori.notices.model import NoticeStatus
from mamori.requests.model import decision_due_at


def jst(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=JST)


def end_of(year: int, month: int, day: int) -> dt.datetime:
    return jst(year, month, day, 23, 59, 59, 999999).astimezone(dt.UTC)


def test_the_day_the_notice_arrives_is_not_counted() -> None:
    # delivered 2 April 15:00 JST: the 14 days are 3 to 16 April, to the end of the 16th in JST
    assert model.filing_due_at(jst(2026, 4, 2, 15, 0), 14) == end_of(2026, 4, 16)


def test_a_notice_arriving_at_midnight_sharp_counts_its_own_day() -> None:
    assert model.filing_due_at(jst(2026, 4, 2, 0, 0), 14) == end_of(2026, 4, 15)


def test_the_day_is_the_japanese_day_whatever_the_utc_date() -> None:
    # 2 April 23:30 UTC is already 3 April 08:30 in Japan: counting starts on the 4th
    at = dt.datetime(2026, 4, 2, 23, 30, tzinfo=dt.UTC)
    assert model.filing_due_at(at, 1) == end_of(2026, 4, 4)


def test_periods_run_across_month_and_year_ends() -> None:
    assert model.filing_due_at(jst(2026, 12, 25, 9, 0), 14) == end_of(2027, 1, 8)
    assert model.ruling_due_at(jst(2028, 2, 20, 9, 0), 10) == end_of(2028, 3, 1)  # a leap year


@pytest.mark.parametrize("days", range(1, 15))
@pytest.mark.parametrize("hour", [0, 9, 23])
def test_the_counting_is_the_same_as_the_art25_deadline(days: int, hour: int) -> None:
    """One way of counting days in mamori: where the Art. 25 rule applies (≤ 14 days) both agree."""
    start = jst(2026, 3, 31, hour, 0)
    assert model.period_ends_at(start, days) == decision_due_at(start, days)


def test_appeal_periods_may_be_longer_than_the_art25_cap() -> None:
    assert model.filing_due_at(jst(2026, 4, 2, 15, 0), 30) == end_of(2026, 5, 2)


def test_a_period_has_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="1"):
        model.period_ends_at(jst(2026, 4, 2, 15, 0), 0)


@pytest.mark.parametrize(
    ("status", "sent_at", "expected"),
    [
        # delivered: the mail server accepted it
        (NoticeStatus.SENT, jst(2026, 4, 2, 15, 0), jst(2026, 4, 2, 15, 0)),
        # written but not delivered: the period does not run against a side that was not told
        (NoticeStatus.PENDING, None, None),
        (NoticeStatus.FAILED, None, None),
        # the law required no notice to this side (Art. 25(1)/27 provisos): the decision's own time
        (NoticeStatus.SKIPPED, None, jst(2026, 4, 1, 10, 0)),
        (None, None, jst(2026, 4, 1, 10, 0)),
    ],
)
def test_the_filing_period_starts_when_the_side_was_told(
    status: NoticeStatus | None, sent_at: dt.datetime | None, expected: dt.datetime | None
) -> None:
    decided_at = jst(2026, 4, 1, 10, 0)
    assert model.filing_starts_at(decided_at, status, sent_at) == expected


def test_the_filing_period_states_whether_one_may_still_object() -> None:
    period = model.filing_period(jst(2026, 4, 2, 15, 0), 14)
    assert period.due_at == end_of(2026, 4, 16)
    assert period.open_at(end_of(2026, 4, 16))
    assert not period.open_at(end_of(2026, 4, 16) + dt.timedelta(microseconds=1))
    not_started = model.filing_period(None, 14)
    assert not_started.due_at is None and not_started.open_at(jst(2030, 1, 1))


def test_a_ruling_is_late_once_its_last_day_is_over() -> None:
    filed = jst(2026, 4, 10, 11, 0)
    due = model.ruling_due_at(filed, 14)
    assert due == end_of(2026, 4, 24)
    assert not model.ruling_late(due, ruled_at=None, now=due)
    assert model.ruling_late(due, ruled_at=None, now=due + dt.timedelta(microseconds=1))
    # once ruled, what counts is when it was ruled, not the time it is looked at
    assert not model.ruling_late(due, ruled_at=due, now=due + dt.timedelta(days=30))
    assert model.ruling_late(due, ruled_at=due + dt.timedelta(seconds=1), now=due)
