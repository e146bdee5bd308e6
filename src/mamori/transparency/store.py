"""transparency: the published reports (frozen figures and their hash), the operator's self-evaluation,
and the read-only aggregate queries of the yearly report.

The aggregate queries read other capabilities' tables by name (`Base.metadata.tables[...]`, SQLAlchemy
Core) without importing their store modules, and every figure is one SQL GROUP BY or conditional SUM:
nothing is counted row by row in Python, so the report costs a handful of scans however large the year.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import time
from typing import Any

from sqlalchemy import (
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from mamori.core.db import Base, UTCDateTime, new_id


class PublishedReportRow(Base):
    """One edition of a yearly report as published: edition 1 is the report, each later edition a
    dated correction of it. Never updated once written (the figures are frozen with their hash)."""

    __tablename__ = "transparency_reports"
    __table_args__ = (UniqueConstraint("year", "edition", name="uq_transparency_reports_year_edition"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    edition: Mapped[int] = mapped_column(Integer, nullable=False)
    corrects: Mapped[str | None] = mapped_column(ForeignKey("transparency_reports.id"), nullable=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    published_by: Mapped[str] = mapped_column(String(200), nullable=False)
    figures: Mapped[str] = mapped_column(Text, nullable=False)  # canonical JSON
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON [{path, was, now}]


class SelfEvaluationRow(Base):
    """The operator's own evaluation of the year (Art. 28), written in the tool; the latest text is
    copied into the figures when the report is published."""

    __tablename__ = "transparency_self_evaluations"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    text_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    text_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    written_by: Mapped[str] = mapped_column(String(200), nullable=False)


def build_id() -> str:
    """32 hex digits that sort in the order they were made (nanoseconds, then random): of two builds
    asked in the same instant by the injected clock, the later one is still the latest."""
    return f"{time.time_ns():016x}{secrets.token_hex(8)}"


class ReportBuildRow(Base):
    """One build of a year's figures, run by a worker (`transparency.builds`): queued, running (leased
    to one worker until `lease_until`), done (with the figures, canonical JSON) or failed (the error)."""

    __tablename__ = "transparency_builds"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=build_id)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    figures: Mapped[str | None] = mapped_column(Text, nullable=True)  # canonical JSON, once done
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


# ---------------------------------------------------------------- published editions


def editions(db: Session, year: int) -> list[PublishedReportRow]:
    return list(
        db.scalars(
            select(PublishedReportRow)
            .where(PublishedReportRow.year == year)
            .order_by(PublishedReportRow.edition)
        )
    )


def all_editions(db: Session) -> list[PublishedReportRow]:
    return list(
        db.scalars(
            select(PublishedReportRow).order_by(PublishedReportRow.year.desc(), PublishedReportRow.edition)
        )
    )


def self_evaluation(db: Session, year: int) -> SelfEvaluationRow | None:
    return db.get(SelfEvaluationRow, year)


# ---------------------------------------------------------------- builds of the figures


def latest_build(db: Session, year: int, statuses: tuple[str, ...]) -> ReportBuildRow | None:
    """The most recently requested build of `year` in one of `statuses`."""
    return db.scalars(
        select(ReportBuildRow)
        .where(ReportBuildRow.year == year, ReportBuildRow.status.in_(statuses))
        .order_by(ReportBuildRow.requested_at.desc(), ReportBuildRow.id.desc())
        .limit(1)
    ).first()


# ---------------------------------------------------------------- the aggregate queries


def _table(name: str) -> Table:
    tables = Base.metadata.tables
    if name not in tables:  # a process that has not imported every capability's tables yet
        from mamori.core.schema import load_all_tables

        load_all_tables()
    return Base.metadata.tables[name]


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_year(column: Any, start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def requests_received(
    db: Session, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> list[dict[str, Any]]:
    """Requests received in [start, end), grouped by the rights claimed (the stored JSON list: a few
    distinct combinations) and the service: counts by channel and how the Art. 25 clock went."""
    cases = _table("cases")
    owed = cases.c.repeat_of.is_(None)
    told, due = cases.c.requester_told_at, cases.c.decision_due_at
    rows = db.execute(
        select(
            cases.c.rights,
            cases.c.service_id,
            func.count().label("total"),
            _count_if(cases.c.repeat_of.is_not(None)).label("repeats"),
            _count_if(cases.c.source == "court").label("court"),
            _count_if(cases.c.source == "trusted").label("trusted"),
            _count_if(and_(owed, told.is_not(None))).label("told"),
            _count_if(and_(owed, told <= due)).label("within"),
            _count_if(and_(owed, told > due)).label("late"),
            _count_if(and_(owed, told.is_(None), due < as_of)).label("unanswered"),
            _count_if(and_(owed, told.is_(None), due >= as_of)).label("pending"),
            _count_if(owed).label("owed"),
        )
        .where(_in_year(cases.c.received_at, start, end))
        .group_by(cases.c.rights, cases.c.service_id)
    )
    return [dict(r._mapping) for r in rows]


def services(db: Session) -> dict[str, dict[str, str]]:
    table = _table("services")
    rows = db.execute(select(table.c.id, table.c.slug, table.c.name_ja, table.c.name_en))
    return {r.id: {"service": r.slug, "name_ja": r.name_ja, "name_en": r.name_en} for r in rows}


def response_seconds(db: Session) -> ColumnElement[Any]:
    """Seconds from receipt to the first delivered Art. 25 notice, in the database's own arithmetic."""
    cases = _table("cases")
    if db.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", cases.c.requester_told_at - cases.c.received_at)
    return (func.julianday(cases.c.requester_told_at) - func.julianday(cases.c.received_at)) * 86400.0


def response_percentiles(
    db: Session, start: dt.datetime, end: dt.datetime, ps: tuple[float, ...], n: int
) -> list[float | None]:
    """The nearest-rank percentiles of seconds from receipt to the first delivered Art. 25 notice
    (rank ceil(p·n) of the n requests told): on PostgreSQL percentile_disc, all in one scan; SQLite has
    no ordered-set aggregates, so there each is ORDER BY … LIMIT 1 OFFSET rank-1."""
    if n == 0:
        return [None for _p in ps]
    cases = _table("cases")
    seconds = response_seconds(db)
    where = and_(
        _in_year(cases.c.received_at, start, end),
        cases.c.repeat_of.is_(None),
        cases.c.requester_told_at.is_not(None),
    )
    if db.get_bind().dialect.name == "postgresql":
        values = list(
            db.execute(
                select(*(func.percentile_disc(p).within_group(seconds) for p in ps)).where(where)
            ).one()
        )
    else:
        values = [
            db.scalar(
                select(seconds).where(where).order_by(seconds).limit(1).offset(max(math.ceil(p * n), 1) - 1)
            )
            for p in ps
        ]
    return [None if v is None else float(v) for v in values]


def notices_given(db: Session, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """The Art. 25 and Art. 27 notices written in the year, in one GROUP BY: per notice kind, its kind
    of Art. 25 notice (removed / not removed / each extension ground), the measure and the clause
    applied (the reason, for Art. 27), whether it was skipped (none owed), and the rights claimed in the
    request (the stored JSON list)."""
    notices, cases, decisions, extensions = (
        _table("notices"),
        _table("cases"),
        _table("decisions"),
        _table("extensions"),
    )
    kind = case(
        (
            notices.c.kind == "requester_decision",
            case((decisions.c.measure == "no_action", literal("not_removed")), else_=literal("removed")),
        ),
        (notices.c.kind == "requester_interim", func.coalesce(extensions.c.ground, literal("unknown"))),
        else_=literal(""),
    ).label("kind")
    clause = func.coalesce(decisions.c.clause_code, literal("")).label("clause")
    measure = func.coalesce(decisions.c.measure, literal("")).label("measure")
    skipped = case((notices.c.status == "skipped", 1), else_=0).label("skipped")
    query = (
        select(
            notices.c.kind.label("notice_kind"),
            kind,
            measure,
            clause,
            skipped,
            cases.c.rights,
            func.count().label("total"),
        )
        .select_from(notices)
        .join(cases, cases.c.id == notices.c.case_id)
        .outerjoin(
            decisions,
            and_(
                notices.c.kind.in_(("requester_decision", "poster_measure")), decisions.c.id == notices.c.ref
            ),
        )
        .outerjoin(extensions, and_(notices.c.kind == "requester_interim", extensions.c.id == notices.c.ref))
        .where(
            notices.c.kind.in_(("requester_decision", "requester_interim", "poster_measure")),
            _in_year(notices.c.created_at, start, end),
        )
        .group_by(notices.c.kind, kind, measure, clause, skipped, cases.c.rights)
    )
    return [dict(r._mapping) for r in db.execute(query)]


def decisions_taken(db: Session, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Decisions taken in the year by measure and by who took them (a few dozen people: the number of
    distinct deciders comes from these groups): on appeal or not, scored by the automated detection."""
    decisions, cases = _table("decisions"), _table("cases")
    query = (
        select(
            decisions.c.measure,
            decisions.c.decided_by,
            func.count().label("total"),
            _count_if(decisions.c.basis.like("appeal%")).label("on_appeal"),
            _count_if(cases.c.abuse_score.is_not(None)).label("detected"),
        )
        .join(cases, cases.c.id == decisions.c.case_id)
        .where(_in_year(decisions.c.decided_at, start, end))
        .group_by(decisions.c.measure, decisions.c.decided_by)
    )
    return [dict(r._mapping) for r in db.execute(query)]


def specialists_appointed(db: Session, end: dt.datetime) -> int:
    """Active accounts holding the specialist role (Art. 24), created before the year ended."""
    users = _table("users")
    return int(
        db.scalar(
            select(func.count()).where(
                users.c.active.is_(True),
                users.c.created_at < end,
                or_(
                    users.c.roles == "specialist",
                    users.c.roles.like("specialist,%"),
                    users.c.roles.like("%,specialist"),
                    users.c.roles.like("%,specialist,%"),
                ),
            )
        )
        or 0
    )


def appeals_filed(db: Session, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """Objections filed in the year, by side: ruled, and reversed (the ruling changed removal into no
    action or the other way round)."""
    appeals, decisions = _table("appeals"), _table("decisions")
    appealed, ruling = decisions.alias("appealed"), decisions.alias("ruling")
    reversed_ = or_(
        and_(appealed.c.measure == "no_action", ruling.c.measure != "no_action"),
        and_(appealed.c.measure != "no_action", ruling.c.measure == "no_action"),
    )
    query = (
        select(
            appeals.c.side,
            func.count().label("filed"),
            _count_if(appeals.c.ruled_at.is_not(None)).label("ruled"),
            _count_if(and_(appeals.c.ruled_at.is_not(None), reversed_)).label("reversed"),
        )
        .select_from(appeals)
        .join(appealed, appealed.c.id == appeals.c.decision_id)
        .outerjoin(ruling, ruling.c.id == appeals.c.ruling_decision_id)
        .where(_in_year(appeals.c.filed_at, start, end))
        .group_by(appeals.c.side)
    )
    return [dict(r._mapping) for r in db.execute(query)]


def inquiries_sent(db: Session, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    inquiries = _table("inquiries")
    rows = db.execute(
        select(inquiries.c.status, func.count())
        .where(_in_year(inquiries.c.created_at, start, end))
        .group_by(inquiries.c.status)
    )
    return {str(status): int(n) for status, n in rows}


def decisions_for_statements(
    db: Session, start: dt.datetime, end: dt.datetime, measures: tuple[str, ...], limit: int
) -> list[dict[str, Any]]:
    """Decisions in [start, end) that restricted something, with what a statement of reasons needs:
    the case's rights, source and receipt, the criteria version and the clause's English title."""
    decisions, cases = _table("decisions"), _table("cases")
    versions, clauses = _table("criteria_versions"), _table("criteria_clauses")
    query = (
        select(
            decisions.c.id,
            decisions.c.measure,
            decisions.c.reason,
            decisions.c.decided_at,
            decisions.c.decided_by,
            decisions.c.clause_code,
            cases.c.rights,
            cases.c.source,
            cases.c.received_at,
            versions.c.version,
            func.coalesce(clauses.c.title_en, literal("")).label("clause_title_en"),
        )
        .join(cases, cases.c.id == decisions.c.case_id)
        .join(versions, versions.c.id == decisions.c.criteria_version_id)
        .outerjoin(
            clauses,
            and_(
                clauses.c.version_id == decisions.c.criteria_version_id,
                clauses.c.code == decisions.c.clause_code,
            ),
        )
        .where(_in_year(decisions.c.decided_at, start, end), decisions.c.measure.in_(measures))
        .order_by(decisions.c.decided_at, decisions.c.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in db.execute(query)]
