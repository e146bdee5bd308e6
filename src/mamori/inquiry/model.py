"""The sender inquiry's window, as the law states it. Pure: no web, no database.

情プラ法 Art. 3(2)(ii) (numbering of 2025-04-01): a provider that removed content is not liable to the
poster when it asked the poster (照会), showing the request, and no objection arrived within 7 days of
the poster receiving the inquiry. Art. 4: for election material (特定文書図画) during the campaign, on
the request of a 公職の候補者等, the window is 2 days. Days are counted as the Civil Code counts them:
the day of receipt is not counted unless received at 0:00 sharp (民法 Art. 140), and the window ends
at the end of its last day (Art. 141), in JST.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

from mamori.core.clock import JST, to_utc

WINDOW_DAYS = 7  # Art. 3(2)(ii)
ELECTION_WINDOW_DAYS = 2  # Art. 4


class InquiryNoticeKind(enum.StrEnum):
    """Kinds of mail the inquiry sends (the outbox's `kind` is a plain string)."""

    INQUIRY = "sender_inquiry"  # to the poster: the request and the single-use answer link


class InquiryStatus(enum.StrEnum):
    WAITING = "waiting"  # sent; the window runs from the poster's receipt
    CONSENTED = "consented"  # the poster agreed to the removal
    OBJECTED = "objected"  # the poster objected, with reasons
    LAPSED = "lapsed"  # the window ended with no objection: Art. 3(2)(ii) may be relied on


class Answer(enum.StrEnum):
    CONSENT = "consent"
    OBJECT = "object"


def window_days(*, candidate_request: bool, election_material: bool, during_campaign: bool) -> int:
    """7 days, or 2 when a 公職の候補者等 asks about election material during the campaign (Art. 4)."""
    if candidate_request and election_material and during_campaign:
        return ELECTION_WINDOW_DAYS
    return WINDOW_DAYS


def window_ends_at(received_at: dt.datetime, days: int) -> dt.datetime:
    """The last instant the poster may object: end of the window's last JST day, as UTC."""
    if days < 1:
        raise ValueError("an inquiry window is at least one day")
    local = to_utc(received_at).astimezone(JST)
    counted_from = local.date() if local.time() == dt.time(0, 0) else local.date() + dt.timedelta(days=1)
    after_last = counted_from + dt.timedelta(days=days)
    return (
        dt.datetime.combine(after_last, dt.time(0, 0), tzinfo=JST) - dt.timedelta(microseconds=1)
    ).astimezone(dt.UTC)


def lapsed(*, now: dt.datetime, ends_at: dt.datetime | None) -> bool:
    """True once the window is over (it has not started while the mail is undelivered)."""
    return ends_at is not None and now > ends_at


def new_answer_token() -> str:
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """Only the digest of a single-use link is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
