"""The law's clocks and the provider table, as pure functions (民法 Art. 140, 143; 民訴法 Art. 95(3))."""

from __future__ import annotations

import datetime as dt

import pytest

from mamori.core.clock import JST
from mamori.disclosure import model
from mamori.disclosure.model import ProviderRange


def jst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JST)


def end_of_day_jst(day: dt.date) -> dt.datetime:
    return (
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=JST) - dt.timedelta(microseconds=1)
    ).astimezone(dt.UTC)


def test_one_month_from_service_in_the_afternoon_ends_the_same_date_next_month() -> None:
    # Served Friday 2026-04-10 15:00: the day of service is not counted; the period ends at the end of
    # the day before the corresponding day (5/11), i.e. 5/10 — a Sunday, so the court period runs to Mon 5/11.
    assert model.last_day_of_months(jst(2026, 4, 10, 15, 0), 1) == dt.date(2026, 5, 10)
    assert model.objection_suit_ends_at(jst(2026, 4, 10, 15, 0)) == end_of_day_jst(dt.date(2026, 5, 11))


def test_service_at_midnight_sharp_counts_its_own_day() -> None:
    assert model.last_day_of_months(jst(2026, 6, 10, 0, 0), 1) == dt.date(2026, 7, 9)
    assert model.last_day_of_months(jst(2026, 6, 10, 0, 0, 1), 1) == dt.date(2026, 7, 10)


def test_the_day_is_the_japanese_day_not_the_utc_day() -> None:
    # 2026-06-09 23:30 UTC is already 6/10 08:30 in Japan: counting starts on 6/11.
    served = dt.datetime(2026, 6, 9, 23, 30, tzinfo=dt.UTC)
    assert model.last_day_of_months(served, 1) == dt.date(2026, 7, 10)


@pytest.mark.parametrize(
    ("served", "last"),
    [
        (jst(2026, 1, 30, 12), dt.date(2026, 2, 28)),  # counting from 1/31: February has no 31st
        (jst(2026, 1, 31, 12), dt.date(2026, 2, 28)),  # counting from 2/1: ends the day before 3/1
        (jst(2028, 1, 30, 12), dt.date(2028, 2, 29)),  # a leap year
        (jst(2026, 12, 31, 12), dt.date(2027, 1, 31)),  # across the year
    ],
)
def test_month_ends_follow_civil_code_article_143(served: dt.datetime, last: dt.date) -> None:
    assert model.last_day_of_months(served, 1) == last


def test_a_court_period_ending_in_the_new_year_holidays_runs_to_the_next_open_day() -> None:
    # Served 2026-12-01 10:00: last day 2027-01-01 (holiday), 1/2 Sat, 1/3 Sun: ends Monday 1/4.
    assert model.objection_suit_ends_at(jst(2026, 12, 1, 10)) == end_of_day_jst(dt.date(2027, 1, 4))


def test_configured_national_holidays_extend_the_court_period() -> None:
    served = jst(2026, 4, 28, 10)  # last day 5/28 (Thursday)
    assert model.objection_suit_ends_at(served) == end_of_day_jst(dt.date(2026, 5, 28))
    holidays = model.parse_holidays("2026-05-28, 2026-05-29")
    assert model.objection_suit_ends_at(served, holidays) == end_of_day_jst(dt.date(2026, 6, 1))


def test_the_provision_orders_two_months_are_civil_not_court_periods() -> None:
    told = jst(2026, 4, 10, 15)
    assert model.provision_filing_ends_at(told) == end_of_day_jst(dt.date(2026, 6, 10))  # a Wednesday
    told_sat = jst(2026, 3, 9, 9)  # ends 5/9, a Saturday: not extended
    assert model.provision_filing_ends_at(told_sat) == end_of_day_jst(dt.date(2026, 5, 9))


def test_hearing_window_counts_days_from_the_day_after_receipt() -> None:
    assert model.hearing_ends_at(jst(2026, 4, 1, 23, 59), 14) == end_of_day_jst(dt.date(2026, 4, 15))
    assert model.hearing_ends_at(jst(2026, 4, 1, 0, 0), 14) == end_of_day_jst(dt.date(2026, 4, 14))
    with pytest.raises(ValueError):
        model.hearing_ends_at(jst(2026, 4, 1), 0)


def test_the_most_specific_range_names_the_provider() -> None:
    ranges = [
        ProviderRange("big", "198.51.100.0/24"),
        ProviderRange("small", "198.51.100.128/25"),
        ProviderRange("v6", "2001:db8::/32"),
    ]
    assert model.provider_for("198.51.100.7", ranges) == "big"
    assert model.provider_for("198.51.100.200", ranges) == "small"
    assert model.provider_for("2001:db8::1", ranges) == "v6"
    assert model.provider_for("192.0.2.1", ranges) is None


def test_queue_rank_puts_what_the_law_wants_now_first() -> None:
    order = sorted(model.ClockState, key=lambda s: model.QUEUE_RANK[s])
    assert order[0] is model.ClockState.ACTION_DUE and order[-1] is model.ClockState.DONE
