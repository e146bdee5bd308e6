"""Evidence use cases. Services never commit: the caller's transaction holds the item and its ledger entry.

Files are written under the evidence root before the row is added; if the transaction then rolls back,
an orphan folder may remain, never a row without its files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.clock import Clock
from mamori.core.db import new_id
from mamori.core.errors import DomainError, NotFound
from mamori.evidence import ledger, package, report, signing, store, uploads
from mamori.evidence.capture import capture_page
from mamori.evidence.model import EvidenceItem, ItemKind, LedgerAction, LedgerEntry, OwnerType
from mamori.evidence.settings import EvidenceSettings

SAFE_NAME = re.compile(r"[^\w.\-]+")


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


def _row(item_id: str, db: Session) -> store.EvidenceItemRow:
    row = db.get(store.EvidenceItemRow, item_id)
    if row is None:
        raise NotFound("evidence item", item_id)
    return row


def get_item(item_id: str, *, db: Session) -> EvidenceItem:
    """One item, deleted or not; NotFound if it never existed."""
    return store.to_item(_row(item_id, db))


def item_path(item_id: str, *, db: Session, settings: EvidenceSettings) -> Path:
    """Where the item's file (upload) or folder (capture package) lies."""
    row = _row(item_id, db)
    if row.deleted_at is not None:
        raise DomainError(
            code="evidence_deleted", status=410, ja="この証拠は削除されています。", en="Item deleted."
        )
    return settings.root / row.storage_path


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
    entry = store.append_ledger(
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
    audit.record(
        db, at=at, actor=actor, action=f"evidence.{action}", subject_type="evidence_item", subject_id=item.id
    )
    return entry


def capture(
    owner_type: str,
    owner_id: str,
    url: str,
    *,
    actor: str,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
) -> EvidenceItem:
    """The server captures `url` for a case or consultation: WACZ, page, screenshots, metadata, signed."""
    kind, ident = parse_owner(owner_type, owner_id)
    result = capture_page(url, settings=settings, clock=clock)
    item_id = new_id()
    relative = Path("items") / item_id
    meta, profile = package.write_package(
        settings.root / relative, result, item_id=item_id, settings=settings
    )
    wacz = meta["files"][package.WACZ]
    db.add(
        store.EvidenceItemRow(
            id=item_id,
            owner_type=str(kind),
            owner_id=ident,
            kind=str(ItemKind.capture),
            sha256=wacz["sha256"],
            captured_at=result.started_at,
            url=url,
            final_url=result.final_url,
            http_status=result.http_status,
            file_name=package.WACZ,
            media_type="application/wacz+zip",
            size=wacz["size"],
            storage_path=str(relative),
            profile_json=store.profile_to_json(profile),
            created_by=actor,
        )
    )
    db.flush()
    item = get_item(item_id, db=db)
    metadata_sha = hashlib.sha256((settings.root / relative / package.METADATA).read_bytes()).hexdigest()
    record(
        item,
        LedgerAction.capture,
        actor=actor,
        reason=reason,
        at=clock.now(),
        db=db,
        metadata_sha256=metadata_sha,
    )
    return item


def upload(
    owner_type: str,
    owner_id: str,
    file_name: str,
    content: bytes,
    *,
    actor: str,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
    redacts: str | None = None,
) -> EvidenceItem:
    """Keep a file the person saved (hashed on arrival), or a redacted working copy of an item (`redacts`)."""
    kind, ident = parse_owner(owner_type, owner_id)
    uploads.check_size(len(content), settings.max_upload_bytes)
    media_type, ext = uploads.sniff(content)
    if redacts is not None:
        original = _row(redacts, db)
        if (original.owner_type, original.owner_id) != (str(kind), ident):
            raise DomainError(
                code="evidence_redaction_owner", field="redacts", ja="添付先が違います。", en="Other owner."
            )
    sha = hashlib.sha256(content).hexdigest()
    item_id = new_id()
    stem = SAFE_NAME.sub("_", Path(file_name).stem)[:80] or "file"
    relative = Path("items") / item_id / f"{stem}.{ext}"
    target = settings.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    at = clock.now()
    db.add(
        store.EvidenceItemRow(
            id=item_id,
            owner_type=str(kind),
            owner_id=ident,
            kind=str(ItemKind.redaction if redacts else ItemKind.upload),
            sha256=sha,
            captured_at=at,
            file_name=relative.name,
            media_type=media_type,
            size=len(content),
            storage_path=str(relative),
            parent_id=redacts,
            created_by=actor,
        )
    )
    db.flush()
    item = get_item(item_id, db=db)
    action = LedgerAction.redaction if redacts else LedgerAction.upload
    detail = {"original_name": file_name[:200], "media_type": media_type} | (
        {"redacts": redacts} if redacts else {}
    )
    record(item, action, actor=actor, reason=reason, at=at, db=db, **detail)
    return item


def export(
    item_id: str, *, actor: str, reason: str, db: Session, settings: EvidenceSettings, clock: Clock
) -> Path:
    """Hand out the item's file or package (recorded in the ledger: who took a copy and why)."""
    path = item_path(item_id, db=db, settings=settings)
    record(get_item(item_id, db=db), LedgerAction.export, actor=actor, reason=reason, at=clock.now(), db=db)
    return path


def hand_over(
    item_id: str, recipient: str, *, actor: str, reason: str, db: Session, clock: Clock
) -> LedgerEntry:
    """Record that the item was handed to someone (a lawyer, the police, the 法務局)."""
    if not recipient.strip():
        raise DomainError(
            code="evidence_recipient",
            field="recipient",
            ja="渡した相手を入力してください。",
            en="Name the recipient.",
        )
    item = get_item(item_id, db=db)
    return record(
        item, LedgerAction.handover, actor=actor, reason=reason, at=clock.now(), db=db, recipient=recipient
    )


def delete(
    item_id: str, *, actor: str, reason: str, db: Session, settings: EvidenceSettings, clock: Clock
) -> None:
    """Delete the item's files; its row and every ledger entry stay, with who deleted it and why."""
    if not reason.strip():
        raise DomainError(
            code="evidence_reason", field="reason", ja="削除の理由を入力してください。", en="Give a reason."
        )
    row = _row(item_id, db)
    if row.deleted_at is not None:
        return
    at = clock.now()
    record(store.to_item(row), LedgerAction.deletion, actor=actor, reason=reason, at=at, db=db)
    row.deleted_at = at
    db.flush()
    folder = settings.root / "items" / item_id
    shutil.rmtree(folder, ignore_errors=True)


def ledger_problems(*, db: Session) -> list[ledger.LedgerProblem]:
    """Verify the whole ledger in the database; empty when the chain is intact."""
    return ledger.verify_chain(store.ledger_entries(db))


def export_ledger(out: Path, *, db: Session, settings: EvidenceSettings) -> int:
    """Write the ledger as JSON Lines plus a signed head (count and last hash), so truncation shows too."""
    count = ledger.write_jsonl(store.ledger_entries(db), out)
    last = None
    for entry in store.ledger_entries(db):
        last = entry
    head = {"count": count, "last_entry_hash": last.entry_hash if last else None}
    head_bytes = json.dumps(head, sort_keys=True).encode()
    key = signing.load_or_create_key(settings.signing_key_path)
    signature = signing.sign(head_bytes, key, signed_file="head")
    out.with_name(out.name + ".head.json").write_text(
        json.dumps({"head": head, "signature": signature}, indent=2)
    )
    return count


def report_for(
    owner_type: str, owner_id: str, *, db: Session, settings: EvidenceSettings, clock: Clock
) -> report.Report:
    """The evidence report of a case or consultation (render with report.render_pdf / render_html)."""
    entries = []
    for item in items_for(owner_type, owner_id, db=db):
        base = settings.root / _row(item.id, db).storage_path
        picture = base / "screenshot-banded.png" if item.kind == ItemKind.capture else base
        entries.append(
            report.ReportItem(
                item, report.thumbnail(picture if item.media_type != "application/pdf" else None)
            )
        )
    return report.Report(
        owner_type=owner_type,
        owner_id=owner_id,
        generated_at=clock.now(),
        ledger_intact=not ledger_problems(db=db),
        items=entries,
    )
