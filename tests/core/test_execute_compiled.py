"""`execute_compiled` (the intake's hot path past SQLAlchemy's per-execution work) writes and reads what
an ordinary execution does: parameters in the statement's order (a name used twice, a constant written
into the statement such as a LIMIT), each through its type (an aware datetime stored as UTC)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from mamori.core.db import UTCDateTime, execute_compiled

JST = dt.timezone(dt.timedelta(hours=9))
probe = Table(
    "execute_compiled_probe",
    MetaData(),
    Column("id", String(20), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("n", Integer, nullable=False),
    prefixes=["TEMPORARY"],  # this connection's alone, gone with it
)
INSERT = insert(probe).values(
    id=bindparam("id", type_=String), at=bindparam("at", type_=UTCDateTime), n=bindparam("n", type_=Integer)
)
# "key" twice, and LIMIT 1 a constant of the statement
LOOKUP = (
    select(probe.c.id, probe.c.n)
    .where(
        (probe.c.id == bindparam("key", type_=String))
        | (probe.c.id == func.upper(bindparam("key", type_=String)))
    )
    .order_by(probe.c.n.desc())
    .limit(1)
)


def test_rows_written_and_read_as_an_ordinary_execution_would(db: Session) -> None:
    probe.create(db.connection())
    at = dt.datetime(2026, 12, 3, 9, 30, tzinfo=JST)
    for ident, n in (("abc", 1), ("ABC", 2), ("xyz", 3)):
        execute_compiled(db, INSERT, {"id": ident, "at": at + dt.timedelta(minutes=n), "n": n})
    stored = db.execute(select(probe.c.id, probe.c.at).order_by(probe.c.n)).all()
    assert [(i, a) for i, a in stored] == [
        ("abc", dt.datetime(2026, 12, 3, 0, 31, tzinfo=dt.UTC)),
        ("ABC", dt.datetime(2026, 12, 3, 0, 32, tzinfo=dt.UTC)),
        ("xyz", dt.datetime(2026, 12, 3, 0, 33, tzinfo=dt.UTC)),
    ]
    # stored exactly as an ordinary execution stores it (on SQLite: the same text, so that comparisons
    # and ranges over the column, such as a year's end at 24:00 JST, treat both rows alike)
    db.execute(insert(probe), {"id": "orm", "at": at + dt.timedelta(minutes=1), "n": 0})
    raw = dict(db.execute(text("SELECT id, at FROM execute_compiled_probe WHERE id IN ('abc', 'orm')")).all())
    assert raw["abc"] == raw["orm"]
    db.execute(text("DELETE FROM execute_compiled_probe WHERE id = 'orm'"))
    for key in ("abc", "xyz", "nothing"):
        fast = execute_compiled(db, LOOKUP, {"key": key}).all()
        ordinary = db.execute(LOOKUP, {"key": key}).all()
        assert [tuple(r) for r in fast] == [tuple(r) for r in ordinary]
    assert [tuple(r) for r in execute_compiled(db, LOOKUP, {"key": "abc"})] == [
        ("ABC", 2)
    ]  # both match: the later one
    assert execute_compiled(db, LOOKUP, {"key": "nothing"}).first() is None
