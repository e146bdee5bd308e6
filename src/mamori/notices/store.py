"""The outbox: notices written in the decision's transaction, delivered later by workers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class NoticeRow(Base):
    __tablename__ = "notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    recipient: Mapped[str] = mapped_column(String(20), nullable=False)  # requester, poster, operator
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    to_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # the address, encrypted
    lang: Mapped[str] = mapped_column(String(8), nullable=False)
    subject: Mapped[str] = mapped_column(Text, nullable=False)
    body_sealed: Mapped[str] = mapped_column(Text, nullable=False)  # encrypted: may hold personal data
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    skip_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    ref: Mapped[str | None] = mapped_column(String(64), nullable=True)  # what it is about (a decision id)
    relies_on: Mapped[str | None] = mapped_column(String(32), nullable=True)  # a skip: the earlier notice
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[str] = mapped_column(String(200), nullable=False)


def for_case(db: Session, case_id: str) -> list[NoticeRow]:
    return list(
        db.scalars(
            select(NoticeRow)
            .where(NoticeRow.case_id == case_id)
            .order_by(NoticeRow.created_at, NoticeRow.kind)
        )
    )
