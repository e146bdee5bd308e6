"""hotline: tables of the desk — the platforms it notifies, the reports (one per post), who filed them,
and each notice sent with the platform's answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class HotlinePlatformRow(Base):
    """A platform the hotline notifies: over its mamori API (api_url + key, sealed) or by letter."""

    __tablename__ = "hotline_platforms"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    delivery: Mapped[str] = mapped_column(String(10), nullable=False)  # api, letter
    api_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    api_key_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # encrypted at rest
    remote_service: Mapped[str] = mapped_column(String(60), nullable=False, default="")  # its service slug
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False, default="")
    lang: Mapped[str] = mapped_column(String(8), nullable=False, default="ja")  # letters: ja or en
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class HotlineReportRow(Base):
    """One reported post: identical reports (same URL) join it as further reporters."""

    __tablename__ = "hotline_reports"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(24), unique=True, nullable=False)
    content_url: Mapped[str] = mapped_column(Text, nullable=False)
    content_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    platform_id: Mapped[str | None] = mapped_column(ForeignKey("hotline_platforms.id"), nullable=True)
    harm: Mapped[str] = mapped_column(String(30), nullable=False)
    content_text_sealed: Mapped[str] = mapped_column(Text, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    contacts: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # the hotline's criteria, one by one (None: not assessed yet)
    identifiable_person: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    no_public_interest: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    beyond_tolerable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    qualifies: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    not_qualifying_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    assessment_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    assessed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    assessed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)


class HotlineReporterRow(Base):
    """Who filed: the person harmed, or for a child a guardian or school staff. Of the child, only an age
    band and their consent are kept — never a name, a school, a birth date."""

    __tablename__ = "hotline_reporters"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("hotline_reports.id"), nullable=False, index=True)
    filer: Mapped[str] = mapped_column(String(10), nullable=False)  # self, guardian, school
    relation: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    contact_sealed: Mapped[str] = mapped_column(Text, nullable=False)  # the filer's name, e-mail, phone
    reporter_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)  # keyed hash of e-mail
    child: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    child_age_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    child_consent: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


class HotlineNoticeRow(Base):
    """A notice to a platform about a qualifying report, and what came of it."""

    __tablename__ = "hotline_notices"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    report_id: Mapped[str] = mapped_column(ForeignKey("hotline_reports.id"), nullable=False, index=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("hotline_platforms.id"), nullable=False, index=True)
    delivery: Mapped[str] = mapped_column(String(10), nullable=False)  # api, letter
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    sent_by: Mapped[str] = mapped_column(String(200), nullable=False)
    remote_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    remote_receipt: Mapped[str | None] = mapped_column(String(40), nullable=True)
    remote_stage: Mapped[str | None] = mapped_column(String(30), nullable=True)
    outbox_notice_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, default="pending")
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_note: Mapped[str] = mapped_column(Text, nullable=False, default="")
    follow_up_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    last_checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


def report_by_key(db: Session, content_key: str) -> HotlineReportRow | None:
    return db.scalar(
        select(HotlineReportRow)
        .where(HotlineReportRow.content_key == content_key)
        .order_by(HotlineReportRow.received_at.desc())
        .limit(1)
    )


def reports(db: Session, limit: int = 500) -> list[HotlineReportRow]:
    return list(
        db.scalars(
            select(HotlineReportRow)
            .order_by(HotlineReportRow.received_at.desc(), HotlineReportRow.number.desc())
            .limit(limit)
        )
    )


def reporters_of(db: Session, report_id: str) -> list[HotlineReporterRow]:
    return list(
        db.scalars(
            select(HotlineReporterRow)
            .where(HotlineReporterRow.report_id == report_id)
            .order_by(HotlineReporterRow.received_at)
        )
    )


def notices_of(db: Session, report_id: str) -> list[HotlineNoticeRow]:
    return list(
        db.scalars(
            select(HotlineNoticeRow)
            .where(HotlineNoticeRow.report_id == report_id)
            .order_by(HotlineNoticeRow.sent_at)
        )
    )


def platforms(db: Session) -> list[HotlinePlatformRow]:
    return list(db.scalars(select(HotlinePlatformRow).order_by(HotlinePlatformRow.slug)))


def platform_by_slug(db: Session, slug: str) -> HotlinePlatformRow | None:
    return db.scalar(select(HotlinePlatformRow).where(HotlinePlatformRow.slug == slug))


def reporter_history(db: Session, reporter_key: str) -> list[tuple[HotlineReporterRow, HotlineReportRow]]:
    rows = db.execute(
        select(HotlineReporterRow, HotlineReportRow)
        .join(HotlineReportRow, HotlineReportRow.id == HotlineReporterRow.report_id)
        .where(HotlineReporterRow.reporter_key == reporter_key)
    )
    return [(a, b) for a, b in rows]


def reports_between(db: Session, start: dt.datetime, end: dt.datetime) -> list[HotlineReportRow]:
    return list(
        db.scalars(
            select(HotlineReportRow).where(
                HotlineReportRow.received_at >= start, HotlineReportRow.received_at < end
            )
        )
    )


def reporters_between(db: Session, start: dt.datetime, end: dt.datetime) -> list[HotlineReporterRow]:
    return list(
        db.scalars(
            select(HotlineReporterRow).where(
                HotlineReporterRow.received_at >= start, HotlineReporterRow.received_at < end
            )
        )
    )


def notices_for_reports(db: Session, report_ids: list[str]) -> list[HotlineNoticeRow]:
    if not report_ids:
        return []
    return list(db.scalars(select(HotlineNoticeRow).where(HotlineNoticeRow.report_id.in_(report_ids))))


def open_notices(db: Session) -> list[HotlineNoticeRow]:
    return list(db.scalars(select(HotlineNoticeRow).where(HotlineNoticeRow.outcome == "pending")))
