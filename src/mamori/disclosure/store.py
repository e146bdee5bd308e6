"""disclosure: the tables of requests and orders (matters), their steps, opinion hearings, productions
of disclosure packages, and the access-provider and peer tables used by the 提供命令 chain.

Whatever names or locates the poster or the requester (the request itself, the IP address, port and
times, the account) is sealed (AES-GCM, bound to its row): a dump of the database shows none of it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id

__all__ = ["new_id"]


class MatterRow(Base):
    """A disclosure request or a court order, with the milestones its clock is counted from."""

    __tablename__ = "disclosure_matters"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    court: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    case_number: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    served_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)  # receipt or service
    details_sealed: Mapped[str] = mapped_column(Text, nullable=False)  # request, target, recipient
    items: Mapped[str] = mapped_column(String(300), nullable=False, default="")  # comma-separated
    withheld: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    related_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure_matters.id"), nullable=True)
    provider_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure_providers.id"), nullable=True)
    hold_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    poster_notice_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # Art. 6(2)
    name_told_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    filing_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handed_over_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    handover_answer: Mapped[str | None] = mapped_column(String(20), nullable=True)
    suit_filed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suit_result: Mapped[str | None] = mapped_column(String(20), nullable=True)  # upheld / revoked
    granted: Mapped[str | None] = mapped_column(String(10), nullable=True)  # yes / no (requests)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)


class StepRow(Base):
    """One thing that happened to a matter (the page's timeline)."""

    __tablename__ = "disclosure_steps"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("disclosure_matters.id"), nullable=False, index=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)  # order within the matter
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class HearingRow(Base):
    """The opinion hearing (意見照会, Art. 6(1)): the mail, the single-use key, the poster's answer."""

    __tablename__ = "disclosure_hearings"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("disclosure_matters.id"), nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    window_days: Mapped[int] = mapped_column(Integer, nullable=False)
    notice_id: Mapped[str] = mapped_column(String(32), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(String(20), nullable=True)
    reason_sealed: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ProductionRow(Base):
    """One production of a disclosure package: what, for whom, by whom, when; a repeat names the first."""

    __tablename__ = "disclosure_productions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    matter_id: Mapped[str] = mapped_column(ForeignKey("disclosure_matters.id"), nullable=False, index=True)
    sequence: Mapped[int] = mapped_column(Integer, nullable=False)
    package_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)
    items: Mapped[str] = mapped_column(String(300), nullable=False)
    produced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    produced_by: Mapped[str] = mapped_column(String(200), nullable=False)
    repeat_of: Mapped[str | None] = mapped_column(ForeignKey("disclosure_productions.id"), nullable=True)
    repeat_reason: Mapped[str] = mapped_column(Text, nullable=False, default="")


class ProviderRow(Base):
    """An access provider (経由プロバイダ): where to send its name and address, and its mamori API."""

    __tablename__ = "disclosure_providers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False)
    api_url: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    key_sealed: Mapped[str] = mapped_column(Text, nullable=False, default="")  # our key at its API
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class ProviderRangeRow(Base):
    """An address range (CIDR) the provider assigns to its subscribers."""

    __tablename__ = "disclosure_provider_ranges"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    provider_id: Mapped[str] = mapped_column(
        ForeignKey("disclosure_providers.id"), nullable=False, index=True
    )
    network: Mapped[str] = mapped_column(String(50), unique=True, nullable=False)


class PeerRow(Base):
    """A content provider that may hand this access provider orders through the API (its key, hashed)."""

    __tablename__ = "disclosure_peers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), unique=True, nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


def steps_of(db: Session, matter_id: str) -> list[StepRow]:
    return list(db.scalars(select(StepRow).where(StepRow.matter_id == matter_id).order_by(StepRow.seq)))


def hearings_of(db: Session, matter_id: str) -> list[HearingRow]:
    return list(
        db.scalars(
            select(HearingRow).where(HearingRow.matter_id == matter_id).order_by(HearingRow.created_at)
        )
    )


def hearing_by_key(db: Session, key_hash: str) -> HearingRow | None:
    return db.scalar(select(HearingRow).where(HearingRow.key_hash == key_hash))


def waiting_hearings(db: Session) -> list[HearingRow]:
    return list(db.scalars(select(HearingRow).where(HearingRow.status == "waiting")))


def productions_of(db: Session, matter_id: str) -> list[ProductionRow]:
    return list(
        db.scalars(
            select(ProductionRow).where(ProductionRow.matter_id == matter_id).order_by(ProductionRow.sequence)
        )
    )


def matters(db: Session, *, open_only: bool) -> list[MatterRow]:
    stmt = select(MatterRow).order_by(MatterRow.served_at)
    if open_only:
        stmt = stmt.where(MatterRow.status == "open")
    return list(db.scalars(stmt))


def by_number(db: Session, number: str) -> MatterRow | None:
    return db.scalar(select(MatterRow).where(MatterRow.number == number))


def providers(db: Session) -> list[ProviderRow]:
    return list(db.scalars(select(ProviderRow).order_by(ProviderRow.name)))


def provider_by_name(db: Session, name: str) -> ProviderRow | None:
    return db.scalar(select(ProviderRow).where(ProviderRow.name == name))


def ranges(db: Session) -> list[ProviderRangeRow]:
    return list(db.scalars(select(ProviderRangeRow)))


def ranges_of(db: Session, provider_id: str) -> list[ProviderRangeRow]:
    return list(db.scalars(select(ProviderRangeRow).where(ProviderRangeRow.provider_id == provider_id)))


def peer_by_key(db: Session, key_hash: str) -> PeerRow | None:
    return db.scalar(select(PeerRow).where(PeerRow.key_hash == key_hash))


def peer_by_name(db: Session, name: str) -> PeerRow | None:
    return db.scalar(select(PeerRow).where(PeerRow.name == name))


def orders_following(db: Session, matter_id: str) -> list[MatterRow]:
    """The matter itself and the open disclosure orders registered as following it."""
    rows = list(
        db.scalars(
            select(MatterRow).where(
                (MatterRow.id == matter_id) | (MatterRow.related_id == matter_id),
                MatterRow.kind == "disclosure_order",
                MatterRow.status == "open",
            )
        )
    )
    return rows
