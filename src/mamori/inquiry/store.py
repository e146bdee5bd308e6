"""The inquiries table: one row per inquiry sent to a poster."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class InquiryRow(Base):
    """A sender inquiry (照会): what was shown, when the poster received it, and what they answered."""

    __tablename__ = "inquiries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    window_days: Mapped[int] = mapped_column(Integer, nullable=False)
    election_rule: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)  # Art. 4
    name_shown: Mapped[bool] = mapped_column(Boolean, nullable=False)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id"), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(String(20), nullable=True)
    answer_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    lapsed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


def for_case(db: Session, case_id: str) -> list[InquiryRow]:
    return list(
        db.scalars(select(InquiryRow).where(InquiryRow.case_id == case_id).order_by(InquiryRow.created_at))
    )


def by_token(db: Session, token_hash: str) -> InquiryRow | None:
    return db.scalar(select(InquiryRow).where(InquiryRow.token_hash == token_hash))


def waiting(db: Session) -> list[InquiryRow]:
    return list(db.scalars(select(InquiryRow).where(InquiryRow.status == "waiting")))
