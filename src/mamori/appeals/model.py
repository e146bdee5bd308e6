"""Who may object to which decision. Pure.

The poster may object to a removal (or other measure) taken on their post; the requester may object
when no action was taken. Each side objects once per decision, with reasons, and the appeal is ruled
by a specialist other than the one who took the decision (an independent second look).
"""

from __future__ import annotations

import enum

from mamori.criteria.model import Measure

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
