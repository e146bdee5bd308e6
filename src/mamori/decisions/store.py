"""Tables of decisions and extension grounds."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    measure: Mapped[str] = mapped_column(String(30), nullable=False)
    criteria_version_id: Mapped[str] = mapped_column(ForeignKey("criteria_versions.id"), nullable=False)
    clause_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    decided_by: Mapped[str] = mapped_column(String(200), nullable=False)
    supersedes: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    basis: Mapped[str] = mapped_column(String(40), nullable=False, default="review")  # review, appeal
    # Art. 3(2)(i): the reasonable grounds for a removal made while the poster's inquiry window is open
    liability_ground: Mapped[str | None] = mapped_column(Text, nullable=True)


class ExtensionRow(Base):
    __tablename__ = "extensions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    ground: Mapped[str] = mapped_column(String(40), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(200), nullable=False)


def decisions_for(db: Session, case_id: str) -> list[DecisionRow]:
    return list(
        db.scalars(select(DecisionRow).where(DecisionRow.case_id == case_id).order_by(DecisionRow.decided_at))
    )


def extensions_for(db: Session, case_id: str) -> list[ExtensionRow]:
    return list(
        db.scalars(
            select(ExtensionRow).where(ExtensionRow.case_id == case_id).order_by(ExtensionRow.recorded_at)
        )
    )
