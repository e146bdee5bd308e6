"""channels: tables of the trusted bodies, their members and keys, and the requests they sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class ChannelBodyRow(Base):
    """A trusted body (a 法務局 office, a hotline, another public body) that sends requests in."""

    __tablename__ = "channel_bodies"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    slug: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(100), nullable=False)  # becomes the case's trusted_source
    kind: Mapped[str] = mapped_column(String(30), nullable=False)  # legal_affairs_bureau, hotline, other
    contact_email: Mapped[str] = mapped_column(String(320), nullable=False)  # where Art. 25 notices go
    address: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(30), nullable=False, default="")
    # the body's machine account: API keys are core API tokens of this account
    machine_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ChannelMemberRow(Base):
    """A staff account (role trusted_notifier) that signs in on the web for a body."""

    __tablename__ = "channel_members"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("channel_bodies.id"), nullable=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ChannelKeyRow(Base):
    """An API key of a body: the same SHA-256 as its core API token (the key itself is never stored)."""

    __tablename__ = "channel_keys"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("channel_bodies.id"), nullable=False, index=True)
    scopes: Mapped[str] = mapped_column(String(100), nullable=False)  # comma-separated SCOPES
    label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    @property
    def key_id(self) -> str:
        """What people call a key by (the start of its hash: names it without revealing it)."""
        return self.token_hash[:12]

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split(",") if s)


class ChannelRequestRow(Base):
    """One request a body sent; identical ones (same body, same URL, case still open) count on it."""

    __tablename__ = "channel_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    body_id: Mapped[str] = mapped_column(ForeignKey("channel_bodies.id"), nullable=False, index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), nullable=False, index=True)
    content_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    reference: Mapped[str] = mapped_column(String(100), nullable=False, default="")  # the body's own number
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    duplicates: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_duplicate_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")


def body_by_slug(db: Session, slug: str) -> ChannelBodyRow | None:
    return db.scalar(select(ChannelBodyRow).where(ChannelBodyRow.slug == slug))


def bodies(db: Session) -> list[ChannelBodyRow]:
    return list(db.scalars(select(ChannelBodyRow).order_by(ChannelBodyRow.slug)))


def keys_of(db: Session, body_id: str) -> list[ChannelKeyRow]:
    return list(
        db.scalars(
            select(ChannelKeyRow).where(ChannelKeyRow.body_id == body_id).order_by(ChannelKeyRow.created_at)
        )
    )


def requests_of(db: Session, body_id: str) -> list[ChannelRequestRow]:
    return list(
        db.scalars(
            select(ChannelRequestRow)
            .where(ChannelRequestRow.body_id == body_id)
            .order_by(ChannelRequestRow.received_at.desc())
        )
    )


def same_content(db: Session, body_id: str, content_key: str) -> list[ChannelRequestRow]:
    return list(
        db.scalars(
            select(ChannelRequestRow).where(
                ChannelRequestRow.body_id == body_id, ChannelRequestRow.content_key == content_key
            )
        )
    )
