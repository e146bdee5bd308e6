"""Tables of the removal criteria: a version and its clauses. A published version is never edited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from mamori.core.db import Base, UTCDateTime, new_id
from mamori.criteria.model import Clause, CriteriaVersion, Measure, WayOfLearning


class CriteriaVersionRow(Base):
    __tablename__ = "criteria_versions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    version: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    effective_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    summary_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    clauses: Mapped[list[ClauseRow]] = relationship(
        back_populates="version_row", order_by="ClauseRow.position", cascade="all, delete-orphan"
    )

    def to_domain(self) -> CriteriaVersion:
        return CriteriaVersion(
            id=self.id,
            version=self.version,
            effective_from=self.effective_from,
            published_at=self.published_at,
            clauses=tuple(c.to_domain() for c in self.clauses),
        )


class ClauseRow(Base):
    __tablename__ = "criteria_clauses"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    version_id: Mapped[str] = mapped_column(ForeignKey("criteria_versions.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    code: Mapped[str] = mapped_column(String(20), nullable=False)
    title_ja: Mapped[str] = mapped_column(Text, nullable=False)
    title_en: Mapped[str] = mapped_column(Text, nullable=False)
    text_ja: Mapped[str] = mapped_column(Text, nullable=False)
    text_en: Mapped[str] = mapped_column(Text, nullable=False)
    applies_to: Mapped[str] = mapped_column(String(100), nullable=False)
    measures: Mapped[str] = mapped_column(String(100), nullable=False)
    reason_template_ja: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reason_template_en: Mapped[str] = mapped_column(Text, nullable=False, default="")
    version_row: Mapped[CriteriaVersionRow] = relationship(back_populates="clauses")

    def to_domain(self) -> Clause:
        return Clause(
            code=self.code,
            title_ja=self.title_ja,
            title_en=self.title_en,
            text_ja=self.text_ja,
            text_en=self.text_en,
            applies_to=tuple(WayOfLearning(x) for x in self.applies_to.split(",") if x),
            measures=tuple(Measure(x) for x in self.measures.split(",") if x),
            reason_template_ja=self.reason_template_ja,
            reason_template_en=self.reason_template_en,
        )


def all_versions(db: Session) -> list[CriteriaVersionRow]:
    return list(db.scalars(select(CriteriaVersionRow).order_by(CriteriaVersionRow.effective_from)))


def by_version(db: Session, version: str) -> CriteriaVersionRow | None:
    return db.scalar(select(CriteriaVersionRow).where(CriteriaVersionRow.version == version))
