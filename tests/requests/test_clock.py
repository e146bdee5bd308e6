"""The legal clock at its edges (情プラ法 Art. 25; periods counted as the Civil Code counts them)."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.core.clock import JST
from mamori.requests.model import ClockState, PeriodError, clock_state, decision_due_at, final_decision_due_at


def jst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def end_of_day(y: int, m: int, d: int) -> dt.datetime:
    return jst(y, m, d, 23, 59, 59, 999999)


@pytest.mark.parametrize(
    ("received", "period", "due"),
    [
        (jst(2026, 4, 1, 10, 0, 0), 7, end_of_day(2026, 4, 8)),  # receipt day not counted
        (jst(2026, 4, 1, 23, 59, 59), 7, end_of_day(2026, 4, 8)),  # last second of the day: same
        (jst(2026, 4, 2, 0, 0, 0), 7, end_of_day(2026, 4, 8)),  # midnight sharp counts its own day
        (jst(2026, 4, 1, 0, 0, 1), 7, end_of_day(2026, 4, 8)),
        (jst(2026, 1, 31, 12, 0), 7, end_of_day(2026, 2, 7)),  # month end
        (jst(2026, 2, 27, 9, 0), 7, end_of_day(2026, 3, 6)),  # February of a common year
        (jst(2028, 2, 27, 9, 0), 7, end_of_day(2028, 3, 5)),  # leap year
        (jst(2026, 12, 28, 18, 30), 7, end_of_day(2027, 1, 4)),  # year end
        (jst(2026, 12, 31, 23, 59, 59), 1, end_of_day(2027, 1, 1)),
        (jst(2026, 4, 1, 10, 0), 14, end_of_day(2026, 4, 15)),  # the legal maximum
    ],
)
def test_deadline_is_the_end_of_the_last_day_in_jst(
    received: dt.datetime, period: int, due: dt.datetime
) -> None:
    assert decision_due_at(received, period) == due.astimezone(dt.UTC)


def test_receipt_given_in_utc_is_counted_in_japan() -> None:
    # 2026-04-01 15:30 UTC is 2026-04-02 00:30 JST: the period starts counting on 3 April.
    received = dt.datetime(2026, 4, 1, 15, 30, tzinfo=dt.UTC)
    assert decision_due_at(received, 7) == end_of_day(2026, 4, 9).astimezone(dt.UTC)


@pytest.mark.parametrize("period", [0, 15, 30, -1])
def test_no_period_beyond_the_law_is_accepted(period: int) -> None:
    with pytest.raises(PeriodError, match="14"):
        decision_due_at(jst(2026, 4, 1, 10), period)


def test_clock_state_moves_from_on_time_to_due_soon_to_overdue() -> None:
    due = end_of_day(2026, 4, 8)
    soon = dt.timedelta(hours=48)
    assert clock_state(now=jst(2026, 4, 2), due_at=due, told_at=None, due_soon=soon) is ClockState.ON_TIME
    assert (
        clock_state(now=jst(2026, 4, 7, 12), due_at=due, told_at=None, due_soon=soon) is ClockState.DUE_SOON
    )
    assert (
        clock_state(now=jst(2026, 4, 9, 0, 0, 0), due_at=due, told_at=None, due_soon=soon)
        is ClockState.OVERDUE
    )


def test_a_notice_inside_the_period_answers_the_clock_and_a_late_one_is_marked_late() -> None:
    due = end_of_day(2026, 4, 8)
    soon = dt.timedelta(hours=48)
    assert (
        clock_state(now=jst(2026, 4, 20), due_at=due, told_at=jst(2026, 4, 8, 23, 59), due_soon=soon)
        is ClockState.ANSWERED
    )
    assert (
        clock_state(
            now=jst(2026, 4, 20),
            due_at=due,
            told_at=jst(2026, 4, 9, 0, 0, 1),
            due_soon=soon,
        )
        is ClockState.ANSWERED_LATE
    )


def test_a_written_but_undelivered_notice_does_not_answer_the_clock() -> None:
    due = end_of_day(2026, 4, 8)
    soon = dt.timedelta(hours=48)
    # queued at 23:59:50 on the last day, never delivered: still overdue once the day is over
    assert (
        clock_state(now=jst(2026, 4, 9, 0, 0, 1), due_at=due, told_at=None, due_soon=soon, undelivered=True)
        is ClockState.OVERDUE
    )
    assert (
        clock_state(
            now=jst(2026, 4, 8, 23, 59, 55), due_at=due, told_at=None, due_soon=soon, undelivered=True
        )
        is ClockState.UNDELIVERED
    )


def test_the_decision_after_an_interim_notice_ages() -> None:
    due = end_of_day(2026, 4, 8)
    soon = dt.timedelta(hours=48)
    told = jst(2026, 4, 6, 15, 0)
    final_due = final_decision_due_at(told, 14)
    assert final_due == end_of_day(2026, 4, 20).astimezone(dt.UTC)  # 14 days, to the end of the day in JST
    args = {"due_at": due, "told_at": told, "due_soon": soon, "final_due_at": final_due}
    assert clock_state(now=jst(2026, 4, 20, 23, 0), **args) is ClockState.ANSWERED
    assert clock_state(now=jst(2026, 4, 21, 0, 0, 1), **args) is ClockState.FINAL_LATE


def test_no_notice_is_owed_for_an_identical_repeat_of_an_answered_request() -> None:
    due = end_of_day(2026, 4, 8)
    state = clock_state(
        now=jst(2026, 5, 1), due_at=due, told_at=None, due_soon=dt.timedelta(hours=48), notice_owed=False
    )
    assert state is ClockState.NOT_OWED
