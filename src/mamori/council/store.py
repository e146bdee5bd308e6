"""council: each member's imported figures file (one per member and year; a new one replaces it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class CouncilImportRow(Base):
    __tablename__ = "council_imports"
    __table_args__ = (UniqueConstraint("member", "year", name="uq_council_imports_member_year"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    member: Mapped[str] = mapped_column(String(200), nullable=False)
    member_kind: Mapped[str] = mapped_column(String(30), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(200), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    cells: Mapped[str] = mapped_column(Text, nullable=False)  # JSON [[dimension, key, count], ...]
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    imported_by: Mapped[str] = mapped_column(String(200), nullable=False)


def imports_for(db: Session, year: int) -> list[CouncilImportRow]:
    return list(
        db.scalars(
            select(CouncilImportRow).where(CouncilImportRow.year == year).order_by(CouncilImportRow.member)
        )
    )


def import_of(db: Session, member: str, year: int) -> CouncilImportRow | None:
    return db.scalar(
        select(CouncilImportRow).where(CouncilImportRow.member == member, CouncilImportRow.year == year)
    )


def years(db: Session) -> list[int]:
    return sorted(set(db.scalars(select(CouncilImportRow.year))), reverse=True)
