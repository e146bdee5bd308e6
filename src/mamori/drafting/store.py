"""Requests mamori sent to a platform's window for someone: the receipt and the latest status seen.

The request itself is not kept here (it is the requester's to keep): only its SHA-256, so a later
question "what exactly did we send?" can be answered from the requester's copy.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class SubmissionRow(Base):
    """One deletion request sent to a window that runs mamori, with its receipt (情プラ法 Art. 22)."""

    __tablename__ = "drafting_submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    base_url: Mapped[str] = mapped_column(Text, nullable=False)
    service: Mapped[str] = mapped_column(String(100), nullable=False)
    payload_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    receipt_number: Mapped[str] = mapped_column(String(64), nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    follow_url: Mapped[str] = mapped_column(Text, nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_by: Mapped[str] = mapped_column(String(100), nullable=False)
    owner_type: Mapped[str | None] = mapped_column(String(20), nullable=True)
    owner_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


def submissions_for(db: Session, owner_type: str, owner_id: str) -> list[SubmissionRow]:
    query = (
        select(SubmissionRow)
        .where(SubmissionRow.owner_type == owner_type, SubmissionRow.owner_id == owner_id)
        .order_by(SubmissionRow.submitted_at)
    )
    return list(db.scalars(query))
