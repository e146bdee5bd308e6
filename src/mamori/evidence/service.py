"""Evidence use cases. Services never commit: the caller's transaction holds the item and its ledger entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.core.errors import DomainError, NotFound
from mamori.evidence import ledger, store
from mamori.evidence.model import EvidenceItem, LedgerAction, LedgerEntry, OwnerType


def parse_owner(owner_type: str, owner_id: str) -> tuple[OwnerType, str]:
    """Validate what the evidence is attached to (a case or a consultation)."""
    try:
        kind = OwnerType(owner_type)
    except ValueError:
        raise DomainError(
            code="evidence_owner_type",
            field="owner_type",
            ja="証拠の添付先は case (案件) か consultation (相談) です。",
            en="Evidence belongs to a case or a consultation.",
        ) from None
    if not owner_id or len(owner_id) > 64:
        raise DomainError(
            code="evidence_owner_id", field="owner_id", ja="添付先のIDが不正です。", en="Invalid owner id."
        )
    return kind, owner_id


def items_for(owner_type: str, owner_id: str, *, db: Session) -> list[EvidenceItem]:
    """A case's or consultation's evidence items (not deleted), oldest first, with their SHA-256.

    For drafting: each item has id, kind, sha256, captured_at (UTC), url and file_name.
    """
    kind, ident = parse_owner(owner_type, owner_id)
    return [store.to_item(row) for row in store.items_of(db, str(kind), ident)]


def get_item(item_id: str, *, db: Session) -> EvidenceItem:
    """One item, deleted or not; NotFound if it never existed."""
    row = db.get(store.EvidenceItemRow, item_id)
    if row is None:
        raise NotFound("evidence item", item_id)
    return store.to_item(row)


def ledger_problems(*, db: Session) -> list[ledger.LedgerProblem]:
    """Verify the whole ledger in the database; empty when the chain is intact."""
    return ledger.verify_chain(store.ledger_entries(db))


def record(
    item: EvidenceItem,
    action: LedgerAction,
    *,
    actor: str,
    reason: str,
    at: dt.datetime,
    db: Session,
    **detail: str,
) -> LedgerEntry:
    """Append one ledger entry about `item` (who, what, why) in the caller's transaction."""
    return store.append_ledger(
        db,
        LedgerEntry(
            seq=0,
            at=at,
            actor=actor,
            action=action,
            item_id=item.id,
            item_sha256=item.sha256,
            reason=reason,
            detail={k: str(v) for k, v in detail.items()},
        ),
    )
