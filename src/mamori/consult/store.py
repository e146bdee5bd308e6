"""Tables of the counsellors' records. Personal content is only ever stored sealed (see keys.py);
the columns in clear are what the analysis counts (month, categories, service, outcome, referral)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class StaffKeyRow(Base):
    """A staff member's X25519 key pair; the private half sealed under MAMORI_SECRET_KEY."""

    __tablename__ = "consult_staff_keys"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    sealed_private_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ConsultationRow(Base):
    __tablename__ = "consult_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    opened_by: Mapped[str] = mapped_column(String(200), nullable=False)
    channel: Mapped[str] = mapped_column(String(20), nullable=False)  # phone, web, mail, visit
    categories: Mapped[str] = mapped_column(String(300), nullable=False)  # comma-separated Category
    service: Mapped[str] = mapped_column(String(40), nullable=False)  # a service id, or "other"
    outcome: Mapped[str] = mapped_column(String(30), nullable=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, nullable=False)
    contact_consent: Mapped[bool] = mapped_column(Boolean, nullable=False)
    referral_body: Mapped[str | None] = mapped_column(String(60), nullable=True)
    referral_consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    referral_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    follow_up_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    sealed_content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    erase_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)  # retention | request

    @property
    def category_list(self) -> list[str]:
        return [c for c in self.categories.split(",") if c]


class RecordKeyRow(Base):
    """One consultation's key, wrapped for one reader."""

    __tablename__ = "consult_record_keys"

    record_id: Mapped[str] = mapped_column(ForeignKey("consult_records.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    granted_by: Mapped[str] = mapped_column(String(200), nullable=False)


def record_key_for(db: Session, record_id: str, user_id: str) -> RecordKeyRow | None:
    return db.get(RecordKeyRow, (record_id, user_id))


def readers_of(db: Session, record_id: str) -> list[str]:
    return list(db.scalars(select(RecordKeyRow.user_id).where(RecordKeyRow.record_id == record_id)))


def drop_record_keys(db: Session, record_id: str) -> None:
    for row in db.scalars(select(RecordKeyRow).where(RecordKeyRow.record_id == record_id)):
        db.delete(row)


def records_shared_with(
    db: Session, *, user_id: str, author: str, with_erased: bool, limit: int
) -> list[ConsultationRow]:
    """Records `author` opened or whose key is wrapped for `user_id` (and erased ones, if asked), newest first."""
    wrapped = select(RecordKeyRow.record_id).where(RecordKeyRow.user_id == user_id)
    shared = or_(ConsultationRow.opened_by == author, ConsultationRow.id.in_(wrapped))
    if with_erased:
        shared = or_(shared, ConsultationRow.erased_at.is_not(None))
    stmt = (
        select(ConsultationRow)
        .where(shared)
        .order_by(ConsultationRow.opened_at.desc(), ConsultationRow.id)
        .limit(limit)
    )
    return list(db.scalars(stmt))


def records_opened_before(db: Session, cutoff: dt.datetime) -> list[ConsultationRow]:
    stmt = select(ConsultationRow).where(
        ConsultationRow.opened_at < cutoff, ConsultationRow.erased_at.is_(None)
    )
    return list(db.scalars(stmt))


def all_records(db: Session) -> list[ConsultationRow]:
    return list(db.scalars(select(ConsultationRow).order_by(ConsultationRow.opened_at)))
