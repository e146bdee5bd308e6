"""The yearly report agrees with the rows: a year of cases in every state (both databases), each total
recomputed here independently from the rows, in plain Python, and compared with the report's SQL."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from typing import Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.appeals.store import AppealRow
from mamori.core.auth import UserRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.decisions.store import DecisionRow, ExtensionRow
from mamori.inquiry.store import InquiryRow
from mamori.notices.store import NoticeRow
from mamori.requests.model import Right
from mamori.requests.store import CaseRow, ServiceRow
from mamori.transparency import model, render, service
from tests.transparency.support import build_year, jst

RIGHTS = [r.value for r in Right]


def in_year(at: dt.datetime | None, year: int) -> bool:
    start, end = model.reporting_period(year)
    return at is not None and start <= at < end


def nearest_rank(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)), 1) - 1]


def expected(db: Session, year: int, now: dt.datetime) -> dict[str, Any]:
    """Every figure of the report, counted row by row (deliberately not the report's method)."""
    cases = [c for c in db.scalars(select(CaseRow)) if in_year(c.received_at, year)]
    by_id = {c.id: c for c in db.scalars(select(CaseRow))}
    decisions = {d.id: d for d in db.scalars(select(DecisionRow))}
    extensions = {e.id: e for e in db.scalars(select(ExtensionRow))}
    services = {s.id: s.slug for s in db.scalars(select(ServiceRow))}
    out: dict[str, Any] = {}
    out["requests.total"] = len(cases)
    out["requests.repeats"] = sum(c.repeat_of is not None for c in cases)
    for right in RIGHTS:
        out[f"requests.by_right.{right}"] = sum(right in json.loads(c.rights) for c in cases)
    channel = Counter(
        "court" if c.source == "court" else "trusted" if c.source == "trusted" else "public" for c in cases
    )
    for name in model.CHANNELS:
        out[f"requests.by_channel.{name}"] = channel[name]
    out["requests.by_service"] = dict(Counter(services[c.service_id] for c in cases))

    kinds: Counter[str] = Counter()
    kind_rights: Counter[tuple[str, str]] = Counter()
    skipped25 = 0
    measures27: Counter[str] = Counter()
    clauses27: Counter[tuple[str, str]] = Counter()
    skipped27 = 0
    for n in db.scalars(select(NoticeRow)):
        if not in_year(n.created_at, year) or n.case_id is None:
            continue
        if n.kind in ("requester_decision", "requester_interim"):
            if n.status == "skipped":
                skipped25 += 1
                continue
            if n.kind == "requester_decision":
                kind = "not_removed" if decisions[n.ref].measure == "no_action" else "removed"  # type: ignore[index]
            else:
                kind = extensions[n.ref].ground  # type: ignore[index]
            kinds[kind] += 1
            for right in json.loads(by_id[n.case_id].rights):
                kind_rights[(kind, right)] += 1
        elif n.kind == "poster_measure":
            if n.status == "skipped":
                skipped27 += 1
                continue
            decision = decisions[n.ref]  # type: ignore[index]
            measures27[decision.measure] += 1
            clauses27[(decision.measure, decision.clause_code or "")] += 1
    for kind in model.ART25_KINDS:
        out[f"art25.{kind}"] = kinds[kind]
        for right in RIGHTS:
            out[f"art25.{kind}.{right}"] = kind_rights[(kind, right)]
    out["art25.total"] = sum(kinds.values())
    out["art25.not_owed"] = skipped25
    for measure in model.REMOVAL_MEASURES:
        out[f"art27.{measure}"] = measures27[measure]
    out["art27.total"] = sum(measures27.values())
    out["art27.clauses"] = dict(clauses27)
    out["art27.not_owed"] = skipped27

    taken = [d for d in decisions.values() if in_year(d.decided_at, year)]
    out["decisions.total"] = len(taken)
    out["decisions.by_measure"] = dict(Counter(d.measure for d in taken))
    out["decisions.on_appeal"] = sum(d.basis.startswith("appeal") for d in taken)
    out["decisions.detected"] = sum(by_id[d.case_id].abuse_score is not None for d in taken)
    out["decisions.by_person"] = sum(d.decided_by.startswith("user:") for d in taken)
    out["specialists.deciding"] = len({d.decided_by for d in taken if d.decided_by.startswith("user:")})
    _start, end = model.reporting_period(year)
    out["specialists.appointed"] = sum(
        "specialist" in u.role_set and u.active and u.created_at < end for u in db.scalars(select(UserRow))
    )

    owed = [c for c in cases if c.repeat_of is None]
    told = [c for c in owed if c.requester_told_at is not None]
    seconds = [(c.requester_told_at - c.received_at).total_seconds() for c in told]  # type: ignore[operator]
    out["response.told"] = len(told)
    out["response.within"] = sum(c.requester_told_at <= c.decision_due_at for c in told)  # type: ignore[operator]
    out["response.late"] = sum(c.requester_told_at > c.decision_due_at for c in told)  # type: ignore[operator]
    out["response.unanswered"] = sum(c.requester_told_at is None and c.decision_due_at < now for c in owed)
    out["response.median_hours"] = model.hours(nearest_rank(seconds, 0.5))
    out["response.p90_hours"] = model.hours(nearest_rank(seconds, 0.9))

    filed = [a for a in db.scalars(select(AppealRow)) if in_year(a.filed_at, year)]
    out["appeals.filed"] = len(filed)
    out["appeals.ruled"] = sum(a.ruled_at is not None for a in filed)
    out["appeals.reversed"] = sum(
        a.ruling_decision_id is not None
        and (decisions[a.decision_id].measure == "no_action")
        != (decisions[a.ruling_decision_id].measure == "no_action")
        for a in filed
    )
    inquiries = [i for i in db.scalars(select(InquiryRow)) if in_year(i.created_at, year)]
    out["inquiries"] = dict(Counter(i.status for i in inquiries))
    return out


def actual(f: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    req = f["requests"]
    out["requests.total"] = req["total"]
    out["requests.repeats"] = req["repeats"]
    for right in RIGHTS:
        out[f"requests.by_right.{right}"] = req["by_right"][right]
    for name in model.CHANNELS:
        out[f"requests.by_channel.{name}"] = req["by_channel"][name]
    out["requests.by_service"] = {s["service"]: s["count"] for s in req["by_service"]}
    a25 = f["art25_notices"]
    for kind in model.ART25_KINDS:
        out[f"art25.{kind}"] = a25["by_kind"][kind]
        for right in RIGHTS:
            out[f"art25.{kind}.{right}"] = a25["by_kind_and_right"][kind][right]
    out["art25.total"] = a25["total"]
    out["art25.not_owed"] = a25["not_owed"]
    a27 = f["art27_notices"]
    for measure in model.REMOVAL_MEASURES:
        out[f"art27.{measure}"] = a27["by_measure"][measure]
    out["art27.total"] = a27["total"]
    out["art27.clauses"] = {(c["measure"], c["clause"]): c["count"] for c in a27["by_measure_and_clause"]}
    out["art27.not_owed"] = a27["not_owed"]
    dec = f["decisions"]
    out["decisions.total"] = dec["total"]
    out["decisions.by_measure"] = {m: n for m, n in dec["by_measure"].items() if n}
    out["decisions.on_appeal"] = dec["on_appeal"]
    out["decisions.detected"] = dec["with_automated_detection"]
    out["decisions.by_person"] = dec["decided_by_a_person"]
    out["specialists.deciding"] = f["specialists"]["deciding"]
    out["specialists.appointed"] = f["specialists"]["appointed"]
    rt = f["response_time"]
    out["response.told"] = rt["told"]
    out["response.within"] = rt["within_period"]
    out["response.late"] = rt["late"]
    out["response.unanswered"] = rt["overdue_unanswered"]
    out["response.median_hours"] = rt["median_hours"]
    out["response.p90_hours"] = rt["p90_hours"]
    out["appeals.filed"] = f["appeals"]["filed"]
    out["appeals.ruled"] = f["appeals"]["ruled"]
    out["appeals.reversed"] = f["appeals"]["reversed"]
    out["inquiries"] = {k: n for k, n in f["inquiries"]["by_outcome"].items() if n}
    return out


def test_every_total_agrees_with_the_rows(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]
) -> None:
    build_year(db, settings, clock, session_factory)
    now = clock.now()
    figures = service.compute(2026, db=db, at=now)
    want, got = expected(db, 2026, now), actual(figures)
    assert got == want
    # the year really holds every state the checks are about (a report of zeros would agree too)
    assert got["requests.total"] == 17 and got["requests.repeats"] == 1
    assert got["requests.by_channel.court"] == 1 and got["requests.by_channel.trusted"] == 1
    assert all(got[f"art25.{kind}"] >= 1 for kind in model.ART25_KINDS)
    assert all(got[f"art27.{m}"] >= 1 for m in model.REMOVAL_MEASURES)
    assert got["art25.not_owed"] == 1
    assert got["appeals.filed"] == 3 and got["appeals.ruled"] == 2 and got["appeals.reversed"] == 1
    assert set(got["inquiries"]) == {"waiting", "consented", "objected", "lapsed"}
    assert got["response.late"] >= 1 and got["response.unanswered"] >= 1 and got["response.within"] >= 1
    assert got["specialists.appointed"] == 3  # a, b and the reviewer-specialist; not the late or the gone
    assert 0 < got["decisions.detected"] < got["decisions.total"]
    jsonschema.validate(figures, render.schema())


def test_the_year_ends_at_march_31_24_00_jst(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]
) -> None:
    year = build_year(db, settings, clock, session_factory)
    now = clock.now()
    received = {
        y: {c.id for c in db.scalars(select(CaseRow)) if in_year(c.received_at, y)}
        for y in (2025, 2026, 2027)
    }
    assert year.cases["before"] in received[2025] and year.cases["first"] in received[2026]
    assert year.cases["last"] in received[2026] and year.cases["next"] in received[2027]
    for y in (2025, 2026, 2027):
        assert service.compute(y, db=db, at=now)["requests"]["total"] == len(received[y])
    assert service.compute(2025, db=db, at=now)["requests"]["total"] == 1
    assert service.compute(2027, db=db, at=now)["requests"]["total"] == 1
    start, end = model.reporting_period(2026)
    assert start == jst(2026, 4, 1) and end == jst(2027, 4, 1)
    assert model.year_of(jst(2027, 3, 31, 23, 59, 59)) == 2026 and model.year_of(jst(2027, 4, 1)) == 2027
