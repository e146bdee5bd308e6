"""logs: tables. Poster data lives only in `sealed` columns (see keys.py); what is in clear is what a
query needs and reveals no one: kinds, times, port ranges, post ids and keyed blind indexes (*_ix)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mamori.core.db import Base, UTCDateTime, new_id


class DataKeyRow(Base):
    """A data key (or the blind-index key), wrapped by the key-encryption key `kek_id`."""

    __tablename__ = "logs_data_key"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(10), nullable=False)  # data | index
    kek_id: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class EventRow(Base):
    """An account or post event of the content provider; sealed: account id, ip, port, mobile id, ICCID."""

    __tablename__ = "logs_event"
    __table_args__ = (
        Index("ix_logs_event_account", "account_ix", "occurred_at"),
        Index("ix_logs_event_ip", "ip_ix", "occurred_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    account_ix: Mapped[str] = mapped_column(String(32), nullable=False)
    ip_ix: Mapped[str | None] = mapped_column(String(32), nullable=True)
    post_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("logs_data_key.id"), nullable=False, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class HolderRow(Base):
    """The account holder's registered details (sealed: name, address, phone, email), one per account."""

    __tablename__ = "logs_holder"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    account_ix: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("logs_data_key.id"), nullable=False, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class AssignmentRow(Base):
    """The access provider's IP assignment: [start, end), ports port_start..port_end; sealed: subscriber, ip."""

    __tablename__ = "logs_assignment"
    __table_args__ = (Index("ix_logs_assignment_ip", "ip_ix", "start"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    ip_ix: Mapped[str] = mapped_column(String(32), nullable=False)
    subscriber_ix: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    port_start: Mapped[int] = mapped_column(Integer, nullable=False)
    port_end: Mapped[int] = mapped_column(Integer, nullable=False)
    start: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("logs_data_key.id"), nullable=False, index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class HoldRow(Base):
    """A hold on the records of an account and/or an address within [start, end), until `until`."""

    __tablename__ = "logs_hold"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    basis: Mapped[str] = mapped_column(String(30), nullable=False)
    reference: Mapped[str] = mapped_column(String(200), nullable=False)
    account_ix: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    ip_ix: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("logs_data_key.id"), nullable=False)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    start: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    placed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    placed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    released_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class RetentionRow(Base):
    """A retention period set by a legal officer for one kind of log (overrides the setting)."""

    __tablename__ = "logs_retention"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by: Mapped[str] = mapped_column(String(200), nullable=False)


class BatchRow(Base):
    """A batch a log source sent with its own id: a retry of the same id is answered, not stored twice."""

    __tablename__ = "logs_batch"

    source: Mapped[str] = mapped_column(String(200), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class LogImportRow(Base):
    """A log file sent to be imported by a worker (`logs.imports`): queued, running (leased to one worker
    until `lease_until`), done (`rows` stored) or failed (the first bad row, in ja and en). The file waits
    in `upload`, compressed and sealed with the data key `key_id`, and is deleted once done or failed."""

    __tablename__ = "logs_import"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    format: Mapped[str] = mapped_column(String(10), nullable=False)
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)  # of the file as sent
    key_id: Mapped[str | None] = mapped_column(ForeignKey("logs_data_key.id"), nullable=True)
    upload: Mapped[bytes | None] = mapped_column(
        LargeBinary, nullable=True
    )  # gzip, sealed; None once settled
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(60), nullable=True)
    error_field: Mapped[str | None] = mapped_column(String(300), nullable=True)
    error_ja: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_en: Mapped[str | None] = mapped_column(Text, nullable=True)
