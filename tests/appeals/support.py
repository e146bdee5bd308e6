"""Test data and steps shared by the appeals tests (TEST FIXTURES, not demo data)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mamori.appeals import service
from mamori.appeals.model import Side
from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions

FIRST = Actor("user:first", frozenset({"specialist"}))
SECOND = Actor("user:second", frozenset({"specialist"}))
OBJECTION = "投稿は事実に基づく論評であり、削除には同意できません。"
REQUESTER_OBJECTION = "投稿は虚偽で、今も職場で話題にされています。"
UPHELD = "異議の理由を検討し、公益目的の論評の範囲内と判断しました。"
REMOVED = "根拠が示されておらず、特定の個人の社会的評価を低下させるため。"
NOT_REMOVED = "論評の範囲内であり、削除の理由はありません。"
POSTER_ADDRESS = "poster@example.org"
REQUESTER_ADDRESS = "ichiro@example.jp"


def choice(measure: Measure, reason: str) -> decisions.DecisionInput:
    clause = "2.1" if measure.is_removal else None
    return decisions.DecisionInput(measure, "2026.1", clause, reason)


def decide(db: Session, settings: Settings, clock: FixedClock, case_id: str, measure: Measure) -> str:
    """The first specialist decides `measure` now; returns the decision's id."""
    reason = REMOVED if measure.is_removal else NOT_REMOVED
    return decisions.decide(
        case_id, choice(measure, reason), db=db, settings=settings, at=clock.now(), by=FIRST
    ).decision_id


def file(
    db: Session, settings: Settings, clock: FixedClock, case_id: str, side: Side, reasons: str = OBJECTION
) -> None:
    """The side objects an hour later than the clock says (the clock moves)."""
    service.file_appeal(
        case_id, side, reasons, db=db, settings=settings, at=clock.advance(hours=1), by=Actor(f"{side}:x")
    )
