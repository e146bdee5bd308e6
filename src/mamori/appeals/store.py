"""The appeals table: one objection per decision and side."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class AppealRow(Base):
    __tablename__ = "appeals"
    __table_args__ = (UniqueConstraint("decision_id", "side", name="uq_appeals_decision_side"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("decisions.id"), nullable=False)
    side: Mapped[str] = mapped_column(String(20), nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)
    filed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    ruled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ruling_decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    ruled_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


def for_case(db: Session, case_id: str) -> list[AppealRow]:
    return list(
        db.scalars(select(AppealRow).where(AppealRow.case_id == case_id).order_by(AppealRow.filed_at))
    )


def for_decision(db: Session, decision_id: str, side: str) -> AppealRow | None:
    return db.scalar(select(AppealRow).where(AppealRow.decision_id == decision_id, AppealRow.side == side))


def ruling_on(db: Session, decision_id: str, side: str) -> AppealRow | None:
    """The appeal by `side` that `decision_id` was the ruling on, if it was one."""
    return db.scalar(
        select(AppealRow).where(AppealRow.ruling_decision_id == decision_id, AppealRow.side == side)
    )


def open_for_cases(db: Session, case_ids: list[str]) -> list[AppealRow]:
    """The objections not yet ruled on, of these cases (at most one per case: a case under appeal is
    decided only by the ruling)."""
    if not case_ids:
        return []
    return list(
        db.scalars(
            select(AppealRow)
            .where(AppealRow.case_id.in_(case_ids), AppealRow.ruled_at.is_(None))
            .order_by(AppealRow.filed_at)
        )
    )
