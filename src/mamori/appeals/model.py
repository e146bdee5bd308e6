"""Who may object to which decision. Pure.

The poster may object to a removal (or other measure) taken on their post; the requester may object
when no action was taken. Each side objects once per decision, with reasons, and the appeal is ruled
by a specialist other than the one who took the decision (an independent second look).

Both periods are settings (MAMORI_APPEAL_FILING_DAYS, MAMORI_APPEAL_RULING_DAYS) and are counted as every
period in mamori is: the initial day is not counted unless the period starts at 0:00 (民法 Art. 140), and
the period ends at the end of its last day (Art. 141), in JST.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from mamori.criteria.model import Measure
from mamori.notices.model import NoticeStatus
from mamori.requests.model import period_ends_at  # the one counting of periods

MIN_REASON_LENGTH = 10


class Side(enum.StrEnum):
    POSTER = "poster"
    REQUESTER = "requester"


class AppealNoticeKind(enum.StrEnum):
    """Mails of the appeals (the outbox's `kind` is a plain string)."""

    OUTCOME_TO_POSTER = "appeal_outcome_poster"


def may_appeal(side: Side, measure: Measure) -> bool:
    """The poster objects to a measure on their post; the requester objects to no action."""
    return measure.is_removal if side is Side.POSTER else not measure.is_removal


def independent(decided_by: str, ruling_by: str) -> bool:
    """An appeal is ruled by someone other than the person whose decision is appealed."""
    return decided_by != ruling_by


def filing_starts_at(
    decided_at: dt.datetime, notice_status: str | None, notice_sent_at: dt.datetime | None
) -> dt.datetime | None:
    """When a side's period to object starts, from the decision's notice to that side.

    Delivered (the mail server accepted it): its delivery. Written but pending or failed: not started
    (None): the period never runs against a side that was not told; the side may object meanwhile.
    No notice owed to that side (skipped under the Art. 25(1) or Art. 27 proviso) or none written: the
    decision's own time, as nothing will arrive later to start it.
    """
    if notice_status is None or notice_status == NoticeStatus.SKIPPED:
        return decided_at
    if notice_status == NoticeStatus.SENT:
        return notice_sent_at
    return None  # pending or failed


@dataclass(frozen=True)
class FilingPeriod:
    """A side's period to object to a decision: `days` from `starts_at`, ending at `due_at`."""

    days: int
    starts_at: dt.datetime | None  # None: the decision's notice has not reached the side yet
    due_at: dt.datetime | None

    def open_at(self, at: dt.datetime) -> bool:
        """May the side still object at `at`? Always while the period has not started."""
        return self.due_at is None or at <= self.due_at


def filing_due_at(told_at: dt.datetime, filing_days: int) -> dt.datetime:
    """The last instant to object: `filing_days` days from the delivery of the decision's notice."""
    return period_ends_at(told_at, filing_days)


def filing_period(starts_at: dt.datetime | None, filing_days: int) -> FilingPeriod:
    """The period to object, started at `starts_at` (see `filing_starts_at`) or not yet started."""
    due = filing_due_at(starts_at, filing_days) if starts_at is not None else None
    return FilingPeriod(filing_days, starts_at, due)


def ruling_due_at(filed_at: dt.datetime, ruling_days: int) -> dt.datetime:
    """The last instant for the ruling: `ruling_days` days from the objection."""
    return period_ends_at(filed_at, ruling_days)


def ruling_late(due_at: dt.datetime, *, ruled_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A ruling given after its last day, or none given and the last day is over."""
    return (ruled_at if ruled_at is not None else now) > due_at


@dataclass(frozen=True)
class RulingDue:
    """When the ruling on an objection is due, and whether it is (or was) late."""

    appeal_id: str
    case_id: str
    side: str
    filed_at: dt.datetime
    due_at: dt.datetime
    ruled_at: dt.datetime | None
    late: bool
    due_soon: bool  # open, not late, and within the queue's "due soon" margin


def ruling_due(
    *,
    appeal_id: str,
    case_id: str,
    side: str,
    filed_at: dt.datetime,
    ruled_at: dt.datetime | None,
    ruling_days: int,
    now: dt.datetime,
    due_soon: dt.timedelta,
) -> RulingDue:
    """The ruling deadline of one objection, seen at `now`."""
    due = ruling_due_at(filed_at, ruling_days)
    late = ruling_late(due, ruled_at=ruled_at, now=now)
    soon = ruled_at is None and not late and due - now <= due_soon
    return RulingDue(appeal_id, case_id, side, filed_at, due, ruled_at, late, soon)
