"""Tables of the window: the platform's services, the cases, and each case's stage events."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    Boolean,
    Float,
    ForeignKey,
    Insert,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from mamori.core.db import Base, UTCDateTime, execute_compiled, new_id
from mamori.core.operator import OperatorProfile, OperatorRow, profile_columns, profile_from_columns


class ServiceRow(Base):
    """A service the platform runs (a board, a video site…). The Art. 25 period is one for the whole
    deployment (`Settings.decision_period_days`), not a per-service choice."""

    __tablename__ = "services"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name_ja: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class CaseRow(Base):
    """One removal request (削除申出) and everything that happens to it."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    receipt_number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    # keyed hashes: of the client's Idempotency-Key, and of the submission it first answered
    idempotency_key: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    idempotency_body: Mapped[str | None] = mapped_column(String(64), nullable=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(20), nullable=False, default="api")  # web, api, trusted
    trusted_source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lang: Mapped[str] = mapped_column(String(8), nullable=False, default="ja")
    content_url: Mapped[str] = mapped_column(Text, nullable=False)
    content_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    content_text_sealed: Mapped[str] = mapped_column(Text, nullable=False)  # read with service.case_texts
    rights: Mapped[str] = mapped_column(Text, nullable=False)  # JSON list of Right values
    reason_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="[]")  # JSON [{sha256, ...}]
    requester_sealed: Mapped[str] = mapped_column(Text, nullable=False)  # name, address, email, phone
    requester_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    show_name_to_poster: Mapped[bool] = mapped_column(Boolean, nullable=False)
    declaration_true: Mapped[bool] = mapped_column(Boolean, nullable=False)
    follow_secret_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    poster_secret_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)
    repeat_of: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    poster_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    poster_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # Art. 27 contact, encrypted
    election_candidate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # Art. 4
    abuse_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    abuse_flags: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    stage: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    period_days: Mapped[int] = mapped_column(Integer, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    decision_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    review_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # queued: when the first Art. 25 notice (decision or interim) was written to the outbox
    first_requester_notice_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # delivered: what meets the deadline (the mail server accepted the first Art. 25 notice)
    requester_told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Art. 3(2)(ii): while the poster's inquiry window is open, a removal needs another ground
    inquiry_window_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    inquiry_state: Mapped[str | None] = mapped_column(String(12), nullable=True)  # waiting, objected, …
    extended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_missed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def rights_list(self) -> list[str]:
        return list(json.loads(self.rights))


class CaseEventRow(Base):
    """Each stage and action with its own timestamp (append-only)."""

    __tablename__ = "case_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


def add_event(db: Session, case_id: str, at: dt.datetime, kind: str, actor: str, **detail: object) -> None:
    db.add(CaseEventRow(**event_values(case_id, at, kind, actor, **detail)))


def event_values(case_id: str, at: dt.datetime, kind: str, actor: str, **detail: object) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    }


# A table and one row of it (column -> value), written with others by `insert_together`.
RowToInsert = tuple[Table, dict[str, Any]]


def insert_together(db: Session, first: RowToInsert, *more: RowToInsert) -> None:
    """Rows of one unit of work, `first` the one the others refer to, each with every column it fills (no
    ORM default is applied). On PostgreSQL they go as one statement (data-modifying CTEs: one round trip;
    foreign keys are checked at its end); elsewhere one INSERT after another, in the order given. The
    statements are built and compiled once per shape and reused (`core.db.execute_compiled`), so a request
    pays neither their construction, their cache key nor their compilation."""
    rows = (first, *more)
    shape = tuple((table, tuple(values)) for table, values in rows)
    params = {
        f"r{n}_{column}": value for n, (_, values) in enumerate(rows) for column, value in values.items()
    }
    statements = _inserts(db.get_bind().dialect.name, shape)
    for statement in statements:
        execute_compiled(db, statement, params)


@lru_cache(maxsize=32)
def _inserts(dialect: str, shape: tuple[tuple[Table, tuple[str, ...]], ...]) -> tuple[Insert, ...]:
    inserts = [
        insert(table).values(
            {column: bindparam(f"r{n}_{column}", type_=table.c[column].type) for column in columns}
        )
        for n, (table, columns) in enumerate(shape)
    ]
    if dialect != "postgresql" or len(inserts) == 1:
        return tuple(inserts)
    *ctes, last = inserts
    return (last.add_cte(*(s.cte(f"w{n}") for n, s in enumerate(ctes))),)


def case_row(values: dict[str, Any]) -> RowToInsert:
    return cast(Table, CaseRow.__table__), values


def event_row(case_id: str, at: dt.datetime, kind: str, actor: str, **detail: object) -> RowToInsert:
    return cast(Table, CaseEventRow.__table__), event_values(case_id, at, kind, actor, **detail)


@dataclass(frozen=True)
class IntakeContext:
    """What filing a request reads before it writes, in one query: the service, an earlier answered
    identical request (Art. 25(1) proviso), the case an Idempotency-Key first answered, and the operator
    row's columns, made into the operator's profile (no ORM object to load: filing a request reads no
    entity unless an Idempotency-Key asks for the case it first answered)."""

    service_id: str
    earlier_identical_id: str | None
    earlier_identical_receipt: str | None
    idempotent: CaseRow | None
    operator: OperatorProfile | None  # None until the operator was set up


def intake_context(
    db: Session, *, slug: str, fingerprint: str, idempotency_key: str | None
) -> IntakeContext | None:
    """None when no service has this slug."""
    params = {"slug": slug, "fingerprint": fingerprint, "idempotency_key": idempotency_key}
    query = _intake_query(idempotency_key is not None)
    # columns alone (strings) go straight to the driver, compiled once (nothing to load, nothing to convert)
    row = (db.execute(query, params) if idempotency_key else execute_compiled(db, query, params)).first()
    if row is None:
        return None
    operator = profile_from_columns(row[4:11]) if row[3] is not None else None
    return IntakeContext(row[0], row[1], row[2], row[11] if idempotency_key else None, operator)


@lru_cache(maxsize=2)
def _intake_query(idempotent: bool) -> Select[Any]:
    """Built once (the request's values are bound parameters): a request pays no construction."""
    earlier = _earlier_identical_query(bindparam("fingerprint", type_=String))
    stmt = (
        select(
            ServiceRow.id,
            earlier.with_only_columns(CaseRow.id).scalar_subquery(),
            earlier.with_only_columns(CaseRow.receipt_number).scalar_subquery(),
            OperatorRow.id,
            *profile_columns(),
        )
        .select_from(ServiceRow)
        .outerjoin(OperatorRow, OperatorRow.id == 1)  # the one row, if the operator was set up
        .where(ServiceRow.slug == bindparam("slug", type_=String))
    )
    if not idempotent:
        return stmt
    case = aliased(CaseRow, name="idempotent")
    return stmt.add_columns(case).outerjoin(
        case, case.idempotency_key == bindparam("idempotency_key", type_=String)
    )


def events(db: Session, case_id: str) -> list[CaseEventRow]:
    return list(
        db.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id).order_by(CaseEventRow.seq))
    )


def service_by_slug(db: Session, slug: str) -> ServiceRow | None:
    return db.scalar(select(ServiceRow).where(ServiceRow.slug == slug))


def case_by_receipt(db: Session, receipt_number: str) -> CaseRow | None:
    return db.scalar(select(CaseRow).where(CaseRow.receipt_number == receipt_number))


def earlier_identical(db: Session, fingerprint: str) -> CaseRow | None:
    """An earlier identical request from the same requester that was *answered* (its decision delivered):
    only against that is a repeat exempt from notices (情プラ法 Art. 25(1) proviso)."""
    return db.scalar(_earlier_identical_query(fingerprint))


def _earlier_identical_query(fingerprint: str | BindParameter[str]) -> Select[CaseRow]:
    return (
        select(CaseRow)
        .where(
            CaseRow.fingerprint == fingerprint,
            CaseRow.repeat_of.is_(None),
            CaseRow.decision_told_at.is_not(None),
        )
        .order_by(CaseRow.received_at)
        .limit(1)
    )
