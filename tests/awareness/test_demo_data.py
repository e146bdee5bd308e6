"""The awareness demo data loads once, labelled 【デモ】, and fills every page it serves."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.awareness import demo_data, service
from mamori.awareness.store import LectureRequestRow
from mamori.core.clock import JST

AT = dt.datetime(2026, 11, 2, 10, 0, tzinfo=JST)


def test_demo_data_loads_once_and_is_labelled(db: Session) -> None:
    if (
        db.scalar(select(LectureRequestRow).where(LectureRequestRow.organisation.like("【デモ】%")))
        is not None
    ):
        return  # already loaded by another test on this database (SQLite keeps client commits)
    lines = demo_data.load_demo(db, at=AT)
    assert "DEMO" in lines[0]
    rows = db.scalars(select(LectureRequestRow).where(LectureRequestRow.organisation.like("【デモ】%"))).all()
    assert {r.status for r in rows} == {"requested", "matched", "done"}
    assert service.lecture_statistics(db=db, year=2026).people >= 231 + 88
    figures = service.prompt_figures(
        db=db, since=AT.date() - dt.timedelta(days=13), until=AT.date(), site="demo-board"
    )
    assert figures.totals["shown"] > figures.totals["edited"] > 0
    assert demo_data.load_demo(db, at=AT) == ["awareness demo data is already loaded (【デモ】/ DEMO)"]
