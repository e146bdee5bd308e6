"""Tables of the window: the platform's services, the cases, and each case's stage events."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


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
    db.add(
        CaseEventRow(
            case_id=case_id,
            at=at,
            kind=kind,
            actor=actor,
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        )
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
    return db.scalar(
        select(CaseRow)
        .where(
            CaseRow.fingerprint == fingerprint,
            CaseRow.repeat_of.is_(None),
            CaseRow.decision_told_at.is_not(None),
        )
        .order_by(CaseRow.received_at)
        .limit(1)
    )
