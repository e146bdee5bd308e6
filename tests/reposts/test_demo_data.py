"""The demo data loads once, says it is demo data, and leaves a match to review and a pile-on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.reposts import demo_data, store


def test_demo_data_leaves_a_match_and_a_pile_on_once(db: Session, clock: FixedClock) -> None:
    lines = demo_data.load_demo(db, at=clock.now())
    assert all("デモ" in line or "DEMO" in line for line in lines[:1])
    match = db.scalar(select(store.MatchRow))
    assert match is not None and match.status == "open"
    assert db.scalar(select(store.PileonRow).where(store.PileonRow.target == "@demo-target")) is not None
    assert "already loaded" in demo_data.load_demo(db, at=clock.now())[0]
