"""Sender-information disclosure as the law states it. Pure: no web, no database, no network.

情プラ法 (numbering of 2025-04-01):
- Art. 5: a victim may ask a provider to disclose the poster's information (開示請求) when the
  infringement is clear and there is a legitimate reason.
- Art. 6(1): before disclosing, the provider hears the poster (意見照会): consent or not, and why not.
- Art. 6(2): when a 開示命令 is made and the poster had said they do not consent, the provider tells
  the poster without delay.
- Art. 8 onward: the court's 開示命令 (disclosure order); Art. 14(1): an objection suit (異議の訴え)
  within one month of being served with it; until then the order is not final and nothing is disclosed.
- Art. 15(1): the 提供命令 (provision order): (i) give the requester the access provider's name and
  address; (ii) once the requester says they filed against that provider, hand it the IP address and
  timestamps. Art. 15(2)-(3) as practice reads it: when the requester does not say so within two months
  of learning the name, the order's duty to hand over lapses.
- Art. 16: the 消去禁止命令 (preservation order): do not erase the logs until the case ends.

Periods in months are counted as the Civil Code counts them (民法 Art. 140: the day of service is not
counted unless it starts at 0:00 JST; Art. 143: by the calendar, ending the day before the corresponding
day of the last month, or on that month's last day when it has none). The objection suit's period is a
court period: when its last day is a Saturday, a Sunday or 29 December to 3 January it ends on the next
day that is none of these (民事訴訟法 Art. 95(3)); national holidays come from MAMORI_DISCLOSURE_COURT_HOLIDAYS.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from mamori.core.clock import JST, to_utc
from mamori.requests.model import period_ends_at

OBJECTION_SUIT_MONTHS = 1  # 情プラ法 Art. 14(1)
PROVISION_FILING_MONTHS = 2  # 情プラ法 Art. 15: the requester's filing against the access provider
DEFAULT_HEARING_DAYS = 14  # 意見照会: about two weeks in practice (a setting)
MAX_HEARING_DAYS = 60


class MatterKind(enum.StrEnum):
    """What the legal officer handles: a voluntary request, one of the court's three orders, or (on the
    access provider's side) an order handed on by a content provider."""

    REQUEST = "request"  # 発信者情報開示請求 (Art. 5)
    DISCLOSURE_ORDER = "disclosure_order"  # 開示命令 (Art. 8)
    PROVISION_ORDER = "provision_order"  # 提供命令 (Art. 15)
    PRESERVATION_ORDER = "preservation_order"  # 消去禁止命令 (Art. 16)
    HANDOVER = "handover"  # received from a content provider under a 提供命令 (access provider side)


ORDER_KINDS = (MatterKind.DISCLOSURE_ORDER, MatterKind.PROVISION_ORDER, MatterKind.PRESERVATION_ORDER)

KIND_LABELS: dict[MatterKind, tuple[str, str]] = {
    MatterKind.REQUEST: ("発信者情報開示請求", "Disclosure request"),
    MatterKind.DISCLOSURE_ORDER: ("開示命令", "Disclosure order"),
    MatterKind.PROVISION_ORDER: ("提供命令", "Provision order"),
    MatterKind.PRESERVATION_ORDER: ("消去禁止命令", "Preservation order"),
    MatterKind.HANDOVER: ("提供命令に基づく提供", "Handed on under a provision order"),
}


class MatterStatus(enum.StrEnum):
    OPEN = "open"
    DISCLOSED = "disclosed"  # the package was produced for the entitled recipient
    REFUSED = "refused"  # a voluntary request the provider did not grant
    LAPSED = "lapsed"  # a provision order whose requester did not file in time
    ENDED = "ended"  # a preservation order whose case ended; a handover answered; an order withdrawn


class HearingStatus(enum.StrEnum):
    WAITING = "waiting"
    CONSENTED = "consented"
    OBJECTED = "objected"
    LAPSED = "lapsed"  # no answer in the window


class Answer(enum.StrEnum):
    CONSENT = "consent"
    OBJECT = "object"


class ClockState(enum.StrEnum):
    """Where a matter stands against its clock; the queue shows what needs someone now first."""

    ACTION_DUE = "action_due"  # something the law wants done without delay (Art. 6(2) notice)
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    RUNNING = "running"
    WAITING = "waiting"  # nothing to do until someone else acts (the requester, the court)
    DONE = "done"


QUEUE_RANK = {
    ClockState.ACTION_DUE: 0,
    ClockState.OVERDUE: 1,
    ClockState.DUE_SOON: 2,
    ClockState.RUNNING: 3,
    ClockState.WAITING: 4,
    ClockState.DONE: 5,
}


# ---------------------------------------------------------------- counting periods


def _first_counted_day(start: dt.datetime) -> dt.date:
    """民法 Art. 140: the initial day is not counted, unless the period starts at 0:00 sharp (JST)."""
    local = to_utc(start).astimezone(JST)
    return local.date() if local.time() == dt.time(0, 0) else local.date() + dt.timedelta(days=1)


def _end_of(day: dt.date) -> dt.datetime:
    """The last instant of a JST day, as UTC (民法 Art. 141)."""
    after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=JST)
    return (after - dt.timedelta(microseconds=1)).astimezone(dt.UTC)


def last_day_of_months(start: dt.datetime, months: int) -> dt.date:
    """The last day (JST) of a period of `months` months from `start` (民法 Art. 140, 143(2)).

    The period ends the day before the day corresponding to the first counted day in the last month;
    when the last month has no such day (31 January + 1 month), it ends on that month's last day.
    """
    if months < 1:
        raise ValueError(f"a period has at least 1 month, not {months}")
    first = _first_counted_day(start)
    index = first.month - 1 + months
    year, month = first.year + index // 12, index % 12 + 1
    days_in_month = calendar.monthrange(year, month)[1]
    if first.day > days_in_month:
        return dt.date(year, month, days_in_month)
    return dt.date(year, month, first.day) - dt.timedelta(days=1)


def months_period_ends_at(start: dt.datetime, months: int) -> dt.datetime:
    """The last instant (UTC) of a period of `months` months from `start`, counted by the Civil Code."""
    return _end_of(last_day_of_months(start, months))


def is_court_closed(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """民事訴訟法 Art. 95(3): Saturdays, Sundays, national holidays and 29 December to 3 January."""
    if day.weekday() >= 5 or day in set(holidays):
        return True
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def court_period_ends_at(start: dt.datetime, months: int, holidays: Iterable[dt.date] = ()) -> dt.datetime:
    """A court period in months: counted like `months_period_ends_at`, then moved past closed days."""
    closed = set(holidays)
    day = last_day_of_months(start, months)
    while is_court_closed(day, closed):
        day += dt.timedelta(days=1)
    return _end_of(day)


def objection_suit_ends_at(served_at: dt.datetime, holidays: Iterable[dt.date] = ()) -> dt.datetime:
    """The last instant to bring an objection suit against a 開示命令 served at `served_at` (Art. 14(1)).

    Until then (and, if a suit is brought, until it ends) the order is not final: nothing is disclosed.
    """
    return court_period_ends_at(served_at, OBJECTION_SUIT_MONTHS, holidays)


def provision_filing_ends_at(told_at: dt.datetime) -> dt.datetime:
    """The last instant for the requester to say they filed against the access provider, counted from
    the day they were given its name and address (Art. 15); after it the hand-over duty lapses."""
    return months_period_ends_at(told_at, PROVISION_FILING_MONTHS)


def hearing_ends_at(received_at: dt.datetime, days: int) -> dt.datetime:
    """The end of the poster's window to answer the opinion hearing: `days` days from receipt of the
    mail, counted as every period of days in mamori is (requests.model.period_ends_at: 民法 Art. 140,
    141, JST)."""
    if not 1 <= days <= MAX_HEARING_DAYS:
        raise ValueError(f"a hearing window is 1 to {MAX_HEARING_DAYS} days, not {days}")
    return period_ends_at(received_at, days)


def parse_holidays(text: str) -> list[dt.date]:
    """MAMORI_DISCLOSURE_COURT_HOLIDAYS: comma-separated ISO dates."""
    return [dt.date.fromisoformat(part.strip()) for part in text.split(",") if part.strip()]


# ---------------------------------------------------------------- the clock of each matter


@dataclass(frozen=True)
class Clock:
    """What a matter waits for, until when, and how urgent it is now."""

    state: ClockState
    label: str  # a msgid: what the clock is about
    due_at: dt.datetime | None


def clock_state(now: dt.datetime, due_at: dt.datetime | None, due_soon: dt.timedelta) -> ClockState:
    if due_at is None:
        return ClockState.WAITING
    if now > due_at:
        return ClockState.OVERDUE
    if due_at - now <= due_soon:
        return ClockState.DUE_SOON
    return ClockState.RUNNING


# ---------------------------------------------------------------- access providers by address


@dataclass(frozen=True)
class ProviderRange:
    provider_id: str
    network: str


def provider_for(ip: str, ranges: Iterable[ProviderRange]) -> str | None:
    """The provider whose configured range holds `ip`; the most specific range wins (longest prefix)."""
    address = ipaddress.ip_address(ip)
    best: tuple[int, str] | None = None
    for entry in ranges:
        network = ipaddress.ip_network(entry.network, strict=False)
        if address.version == network.version and address in network:
            if best is None or network.prefixlen > best[0]:
                best = (network.prefixlen, entry.provider_id)
    return best[1] if best else None


# ---------------------------------------------------------------- single-use keys


def new_key() -> str:
    return secrets.token_urlsafe(24)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
