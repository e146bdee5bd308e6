"""The demo writes a draft self-evaluation, labelled 【デモ】/DEMO, once, and publishes nothing."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.transparency import service, store
from mamori.transparency.demo_data import load_demo


def test_the_demo_fills_the_form_and_publishes_nothing(db: Session, clock: FixedClock) -> None:
    lines = load_demo(db, at=clock.now())
    assert "DEMO" in lines[0] and load_demo(db, at=clock.now()) == [
        "transparency demo data is already loaded (【デモ】/ DEMO)"
    ]
    figures = service.compute(2026, db=db, at=clock.now())
    assert figures["self_evaluation"]["ja"].startswith("【デモ】")
    assert figures["self_evaluation"]["en"].startswith("[DEMO]")
    assert store.all_editions(db) == []
