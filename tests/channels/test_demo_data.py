"""The channels demo data loads once, says it is demo data, and a second load changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.channels.demo_data import load_demo


def test_demo_data_loads_once_and_is_labelled(db: Session) -> None:
    at = dt.datetime(2026, 12, 2, 10, tzinfo=dt.UTC)
    first = load_demo(db, at=at)
    assert first and "DEMO" in first[0] and "already" not in first[0]
    assert "already" in load_demo(db, at=at)[0]
