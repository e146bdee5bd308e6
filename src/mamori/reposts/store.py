"""reposts: tables of the fingerprint bank, its band keys, the review items, the reply stream and pile-ons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class FingerprintRow(Base):
    """One removed item in the bank: a MinHash signature (text) or a PDQ hash (image), never the content.
    `decision_id` is set for what this platform removed; an imported entry names its bank instead."""

    __tablename__ = "repost_fingerprints"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # text, image
    algorithm: Mapped[str] = mapped_column(String(40), nullable=False)
    signature: Mapped[str | None] = mapped_column(Text, nullable=True)  # MinHash, hex (text)
    pdq: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)  # image
    decision_id: Mapped[str | None] = mapped_column(ForeignKey("decisions.id"), nullable=True, index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    criteria_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    clause_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source: Mapped[str] = mapped_column(
        String(100), nullable=False, default="local"
    )  # local, or a bank's name
    bank_version: Mapped[int] = mapped_column(Integer, nullable=False)
    external_id: Mapped[str | None] = mapped_column(String(100), nullable=True)  # an imported entry's own id
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class BandKeyRow(Base):
    """One LSH band key of a text fingerprint: posts sharing a key with it are its candidates."""

    __tablename__ = "repost_band_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint_id: Mapped[str] = mapped_column(
        ForeignKey("repost_fingerprints.id"), nullable=False, index=True
    )
    key: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)


class MatchRow(Base):
    """A new post that matched the bank: a review item until a person confirms or dismisses it."""

    __tablename__ = "repost_matches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    fingerprint_id: Mapped[str] = mapped_column(
        ForeignKey("repost_fingerprints.id"), nullable=False, index=True
    )
    post_ref: Mapped[str] = mapped_column(String(500), nullable=False)
    post_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    author: Mapped[str | None] = mapped_column(String(200), nullable=True)
    post_text_sealed: Mapped[str | None] = mapped_column(Text, nullable=True)  # read with service.post_text
    via: Mapped[str] = mapped_column(String(10), nullable=False)  # text, image, ocr
    similarity: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)  # open, confirmed, dismissed
    found_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    clause_code: Mapped[str | None] = mapped_column(String(20), nullable=True)  # cited when confirmed
    criteria_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    notice_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # the Art. 27 notice queued

    __table_args__ = (Index("ix_repost_matches_post", "fingerprint_id", "post_ref", unique=True),)


class ReplyRow(Base):
    """One reply or mention in the platform's stream: who wrote to whom, when, and its abuse score."""

    __tablename__ = "pileon_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_ref: Mapped[str] = mapped_column(String(500), nullable=False, unique=True)
    target: Mapped[str] = mapped_column(String(200), nullable=False)
    author: Mapped[str] = mapped_column(String(200), nullable=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    score: Mapped[float] = mapped_column(Float, nullable=False)
    abusive: Mapped[bool] = mapped_column(nullable=False)
    categories: Mapped[str] = mapped_column(String(200), nullable=False, default="")

    __table_args__ = (Index("ix_pileon_replies_target_at", "target", "at"),)


class PileonRow(Base):
    """A burst of abusive replies to one account, for reviewers, and what the target was offered."""

    __tablename__ = "pileons"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    target: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    peak_count: Mapped[int] = mapped_column(Integer, nullable=False)
    baseline_per_window: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)  # open, offered, closed
    detected_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    measures: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list chosen
    measures_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    measures_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


def text_candidates(db: Session, keys: list[int]) -> list[tuple[int, FingerprintRow]]:
    """Text fingerprints sharing any of these band keys, with the key they share."""
    out: list[tuple[int, FingerprintRow]] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = db.execute(
            select(BandKeyRow.key, FingerprintRow)
            .join(FingerprintRow, FingerprintRow.id == BandKeyRow.fingerprint_id)
            .where(BandKeyRow.key.in_(chunk))
        ).all()
        out.extend((int(k), fp) for k, fp in rows)
    return out


def images(db: Session) -> list[FingerprintRow]:
    return list(db.scalars(select(FingerprintRow).where(FingerprintRow.kind == "image")))
