"""awareness: the prompt's daily counts (no text), instructors, and lecture requests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class PromptCountRow(Base):
    """How often the prompt was shown, led to an edit, or was passed by, per site and day in Japan."""

    __tablename__ = "awareness_prompt_counts"
    __table_args__ = (UniqueConstraint("day", "site", "kind"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    day: Mapped[dt.date] = mapped_column(Date, nullable=False, index=True)
    site: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class InstructorRow(Base):
    """An e-ネットキャラバン instructor: a staff account with the instructor role, and where and what
    they teach."""

    __tablename__ = "awareness_instructors"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, unique=True)
    prefecture: Mapped[str] = mapped_column(String(2), nullable=False)
    topics: Mapped[str] = mapped_column(String(200), nullable=False)  # comma-separated Topic values
    weekdays: Mapped[str] = mapped_column(String(20), nullable=False)  # comma-separated 0..6
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class LectureRequestRow(Base):
    """A school's or parents' group's request for a lecture, its match and, afterwards, its report."""

    __tablename__ = "awareness_lecture_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    organisation: Mapped[str] = mapped_column(String(200), nullable=False)
    prefecture: Mapped[str] = mapped_column(String(2), nullable=False)
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    audience: Mapped[str] = mapped_column(String(20), nullable=False)
    audience_size: Mapped[int] = mapped_column(Integer, nullable=False)
    topics: Mapped[str] = mapped_column(String(200), nullable=False)
    date_options: Mapped[str] = mapped_column(String(40), nullable=False)  # comma-separated ISO dates
    contact_name: Mapped[str] = mapped_column(String(200), nullable=False)
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)
    contact_phone: Mapped[str] = mapped_column(String(40), nullable=False, default="")
    lang: Mapped[str] = mapped_column(String(5), nullable=False, default="ja")
    message: Mapped[str] = mapped_column(Text, nullable=False, default="")
    instructor_id: Mapped[str | None] = mapped_column(ForeignKey("awareness_instructors.id"), nullable=True)
    lecture_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    matched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    matched_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attendance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report: Mapped[str | None] = mapped_column(Text, nullable=True)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
