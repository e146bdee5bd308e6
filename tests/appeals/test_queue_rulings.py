"""The workspace queue shows when the ruling on an objection is due, and a late ruling comes right after
the Art. 25 deadlines missed or at risk."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.appeals.model import Side
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.workspace import service as workspace
from tests.appeals import support
from tests.workspace import support as ws


def test_a_late_ruling_rises_in_the_queue(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure], deliver: Any
) -> None:
    case_id, measure = decided
    support.decide(db, settings, clock, case_id, measure)
    deliver()
    support.file(db, settings, clock, case_id, Side.POSTER)
    fresh = ws.file(db, settings, clock.now(), content_url="https://board.example/fresh")  # on time
    view = workspace.open_queue(workspace.QueueFilter(), db=db, now=clock.now(), settings=settings)
    mine = next(i for i in view.items if i.case_id == case_id)
    assert mine.ruling_due_at is not None and not mine.ruling_late
    later = clock.advance(days=settings.appeal_ruling_days + 1)
    view = workspace.open_queue(workspace.QueueFilter(), db=db, now=later, settings=settings)
    order = [i.case_id for i in view.items]
    assert order.index(case_id) < order.index(fresh) or view.items[0].clock.value in (
        "overdue",
        "undelivered",
    )
    assert next(i for i in view.items if i.case_id == case_id).ruling_late
