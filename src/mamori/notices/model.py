"""Kinds of notice, who gets them, and the outbox's retry rule. Pure."""

from __future__ import annotations

import datetime as dt
import enum


class NoticeKind(enum.StrEnum):
    RECEIPT = "receipt"  # Art. 22: date and time of receipt
    REQUESTER_DECISION = "requester_decision"  # Art. 25(1): removed / not removed and why
    REQUESTER_INTERIM = "requester_interim"  # Art. 25(1) proviso: the extension ground
    POSTER_MEASURE = "poster_measure"  # Art. 27: the measure, the reason, the clause applied
    DEADLINE_ALERT = "deadline_alert"  # to the operator: an Art. 25 period ran out
    UNDELIVERED_ALERT = "undelivered_alert"  # to the operator: an Art. 25 notice has not been delivered


ART25_KINDS = (NoticeKind.REQUESTER_DECISION, NoticeKind.REQUESTER_INTERIM)


class NoticeStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt: shown to staff, retried by hand
    SKIPPED = "skipped"  # the law does not require it; the reason is recorded


MAX_BACKOFF = dt.timedelta(hours=6)


def next_attempt_delay(attempts: int, first: float) -> dt.timedelta:
    """Exponential backoff: first, 2×first, 4×first … capped at six hours."""
    return min(dt.timedelta(seconds=first * (2 ** max(attempts - 1, 0))), MAX_BACKOFF)
