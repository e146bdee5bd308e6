"""Tables of the evidence capability: items and the append-only ledger (hash-chained)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, false, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime, id_column_type
from mamori.evidence import ledger
from mamori.evidence.model import (
    EvidenceItem,
    EvidenceProfile,
    ItemKind,
    LedgerAction,
    LedgerEntry,
    OwnerType,
)

# One chain for the whole database; PostgreSQL serialises appenders with this advisory lock.
LEDGER_LOCK_KEY = 0x6D616D6F7269  # "mamori"


class EvidenceItemRow(Base):
    __tablename__ = "evidence_items"

    id: Mapped[str] = mapped_column(id_column_type(), primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    captured_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    http_status: Mapped[int | None] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(255), nullable=False)
    media_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    storage_path: Mapped[str] = mapped_column(Text, nullable=False)  # relative to the evidence root
    parent_id: Mapped[str | None] = mapped_column(id_column_type(), ForeignKey("evidence_items.id"))
    profile_json: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # True: every stored file is sealed (evidence.vault); False: written before sealing existed
    sealed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, server_default=false())


class EvidenceLedgerRow(Base):
    __tablename__ = "evidence_ledger"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    item_id: Mapped[str] = mapped_column(id_column_type(), nullable=False, index=True)
    item_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    # unique: two appenders that read the same head cannot both link to it (no silent fork)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)


def profile_from_json(raw: str | None) -> EvidenceProfile | None:
    if not raw:
        return None
    data = json.loads(raw)
    data["captured_at"] = dt.datetime.fromisoformat(data["captured_at"])
    return EvidenceProfile(**data)


def profile_to_json(profile: EvidenceProfile | None) -> str | None:
    if profile is None:
        return None
    data = {k: getattr(profile, k) for k in profile.__dataclass_fields__}
    data["captured_at"] = profile.captured_at.isoformat()
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def to_item(row: EvidenceItemRow) -> EvidenceItem:
    return EvidenceItem(
        id=row.id,
        kind=ItemKind(row.kind),
        sha256=row.sha256,
        captured_at=row.captured_at,
        url=row.url,
        file_name=row.file_name,
        owner_type=OwnerType(row.owner_type),
        owner_id=row.owner_id,
        media_type=row.media_type,
        size=row.size,
        final_url=row.final_url,
        http_status=row.http_status,
        parent_id=row.parent_id,
        profile=profile_from_json(row.profile_json),
        deleted_at=row.deleted_at,
    )


def items_of(
    db: Session, owner_type: str, owner_id: str, *, include_deleted: bool = False
) -> list[EvidenceItemRow]:
    stmt = select(EvidenceItemRow).where(
        EvidenceItemRow.owner_type == owner_type, EvidenceItemRow.owner_id == owner_id
    )
    if not include_deleted:
        stmt = stmt.where(EvidenceItemRow.deleted_at.is_(None))
    return list(db.scalars(stmt.order_by(EvidenceItemRow.captured_at, EvidenceItemRow.id)))


def _to_entry(row: EvidenceLedgerRow) -> LedgerEntry:
    return LedgerEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=LedgerAction(row.action),
        item_id=row.item_id,
        item_sha256=row.item_sha256,
        reason=row.reason,
        detail=json.loads(row.detail),
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
    )


def append_ledger(db: Session, entry: LedgerEntry) -> LedgerEntry:
    """Link `entry` after the current head and insert it, in the caller's transaction."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK_KEY})
    head_row = db.scalars(select(EvidenceLedgerRow).order_by(EvidenceLedgerRow.seq.desc()).limit(1)).first()
    linked = ledger.chain_next(_to_entry(head_row) if head_row else None, entry)
    db.add(
        EvidenceLedgerRow(
            seq=linked.seq,
            at=linked.at,
            actor=linked.actor,
            action=str(linked.action),
            item_id=linked.item_id,
            item_sha256=linked.item_sha256,
            reason=linked.reason,
            detail=json.dumps(linked.detail, ensure_ascii=False, sort_keys=True),
            prev_hash=linked.prev_hash,
            entry_hash=linked.entry_hash,
        )
    )
    db.flush()
    return linked


def ledger_entries(db: Session, *, item_id: str | None = None, batch: int = 5000) -> Iterator[LedgerEntry]:
    """The ledger in order (all of it, or one item's entries), streamed in batches."""
    stmt = select(EvidenceLedgerRow).order_by(EvidenceLedgerRow.seq)
    if item_id is not None:
        stmt = stmt.where(EvidenceLedgerRow.item_id == item_id)
    for row in db.scalars(stmt.execution_options(yield_per=batch)):
        yield _to_entry(row)


class EvidenceCaptureRow(Base):
    """A capture asked for and run by a worker (mamori.evidence.jobs): queued, running, done or failed."""

    __tablename__ = "evidence_captures"

    id: Mapped[str] = mapped_column(id_column_type(), primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(20), nullable=False)
    owner_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    requested_by: Mapped[str] = mapped_column(String(200), nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    item_id: Mapped[str | None] = mapped_column(id_column_type(), ForeignKey("evidence_items.id"))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_ja: Mapped[str | None] = mapped_column(Text)
    error_en: Mapped[str | None] = mapped_column(Text)


class KitCaptureRow(Base):
    """A capture a person without an account asked for (the evidence kit): run by a worker, its sealed
    ZIP kept (encrypted) only until `expires_at`, found by the SHA-256 of the person's token alone."""

    __tablename__ = "evidence_kit_captures"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 (hex) of the person's token
    url: Mapped[str] = mapped_column(Text, nullable=False)
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(12), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    file_name: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_ja: Mapped[str | None] = mapped_column(Text)
    error_en: Mapped[str | None] = mapped_column(Text)
