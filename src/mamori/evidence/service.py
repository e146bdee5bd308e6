"""Evidence use cases, and the one rule of who may see or change which evidence: `authorize`.

Who may do what with evidence, decided here for the JSON API, the pages, drafting and reports alike:

- A **case**'s evidence is the platform staff's business: reading it needs `evidence.read` and
  `case.read`, changing it (capture, upload, redacted copy, hand-over, deletion) `evidence.capture` and
  `case.edit`; the case must exist (`requests.service.get_case_row`). Counsellors see none of it.
- A **consultation**'s evidence is as confidential as the consultation: it is visible only to those
  the consultation is shared with (its author, the supervisors, whoever it was shared with), as
  `consult.service.authorize_record` decides; no platform role (administrator and auditor included)
  sees it. Changing it also needs `evidence.capture` and the consultation's change right. For anyone
  else a consultation answers 404, exactly as one that does not exist, so ids cannot be probed.
- An owner id must look like an id (32 hex characters): anything else is refused (422) naming the
  field, before any look-up. A refusal is raised before anything is written: no file, row or entry.

Stored files are sealed (vault.py); the SHA-256 and size recorded for an item are of the plain
content, and a download returns the original bytes. Services never commit: the caller's transaction
holds the item and its ledger entry. Files are written under the evidence root before the row is
added; if the transaction then rolls back, an orphan folder may remain, never a row without its files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consult import service as consult
from mamori.core import audit
from mamori.core.auth import Principal
from mamori.core.clock import Clock
from mamori.core.db import new_id
from mamori.core.errors import DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters
from mamori.evidence import ledger, package, report, signing, store, uploads
from mamori.evidence.capture import CaptureResult
from mamori.evidence.model import (
    Access,
    EvidenceItem,
    ItemKind,
    LedgerAction,
    LedgerEntry,
    Owner,
    OwnerType,
    check_item_id,
    parse_owner,
)
from mamori.evidence.settings import EvidenceSettings
from mamori.evidence.vault import Vault
from mamori.requests import service as requests

SAFE_NAME = re.compile(r"[^\w.\-]+")
# The files of a capture package a person may take a copy of (each copy enters the ledger).
PACKAGE_FILES = (
    package.WACZ,
    "screenshot-banded.png",
    "screenshot.png",
    "page.html",
    package.METADATA,
    package.SIGNATURE,
    package.TIMESTAMP,
)
MEDIA = {
    ".png": "image/png",
    ".html": "text/html",
    ".json": "application/json",
    ".tsr": "application/timestamp-reply",
}
# Which permissions each kind of access needs, per owner: (evidence permission, owner permission).
CASE_PERMISSIONS = {
    Access.read: ("evidence.read", "case.read"),
    Access.change: ("evidence.capture", "case.edit"),
}
EVIDENCE_PERMISSION = {Access.read: "evidence.read", Access.change: "evidence.capture"}


# ---------------------------------------------------------------- who may do what


def authorize(principal: Principal, owner_type: str, owner_id: str, action: Access, *, db: Session) -> Owner:
    """Check that `principal` may `action` the evidence of this case or consultation; the owner, parsed.

    DomainError (422, field named) for an owner that is not one; Forbidden without the permission;
    NotFound for a case that does not exist and a consultation not shared with the principal.
    """
    owner = parse_owner(owner_type, owner_id)
    if not principal.may(EVIDENCE_PERMISSION[action]):
        raise Forbidden()
    if owner.type is OwnerType.case:
        if not principal.may(CASE_PERMISSIONS[action][1]):
            raise Forbidden(
                ja="案件の証拠はプラットフォームの担当者だけが扱えます。",
                en="A case's evidence is for the platform's staff only.",
            )
        requests.get_case_row(db, owner.id)
    else:
        consult.authorize_record(principal, owner.id, db=db, change=action is Access.change)
    return owner


def may(principal: Principal, owner_type: str, owner_id: str, action: Access, *, db: Session) -> bool:
    """Whether `authorize` would let the principal through (for pages that hide what they may not do)."""
    try:
        authorize(principal, owner_type, owner_id, action, db=db)
    except DomainError:
        return False
    return True


def _authorized_row(principal: Principal, item_id: str, action: Access, db: Session) -> store.EvidenceItemRow:
    """The item's row once its owner's evidence may be `action`ed by the principal."""
    row = db.get(store.EvidenceItemRow, check_item_id(item_id))
    if row is None:
        raise NotFound("evidence item", item_id)
    authorize(principal, row.owner_type, row.owner_id, action, db=db)
    return row


# ---------------------------------------------------------------- reading


def items_for(owner_type: str, owner_id: str, *, by: Principal, db: Session) -> list[EvidenceItem]:
    """A case's or consultation's evidence items (not deleted), oldest first, with their SHA-256.

    For drafting: each item has id, kind, sha256, captured_at (UTC), url and file_name.
    """
    owner = authorize(by, owner_type, owner_id, Access.read, db=db)
    return [store.to_item(row) for row in store.items_of(db, str(owner.type), owner.id)]


def get_item(item_id: str, *, by: Principal, db: Session) -> EvidenceItem:
    """One item, deleted or not, for a principal who may read its owner's evidence."""
    return store.to_item(_authorized_row(by, item_id, Access.read, db))


def _vault(settings: EvidenceSettings) -> Vault:
    return Vault(settings.secret_key)


def _deleted() -> DomainError:
    return DomainError(
        code="evidence_deleted", status=410, ja="この証拠は削除されています。", en="Item deleted."
    )


def _file_names(row: store.EvidenceItemRow) -> tuple[str, ...]:
    return PACKAGE_FILES if row.kind == ItemKind.capture else (row.file_name,)


def _stored(row: store.EvidenceItemRow, name: str, settings: EvidenceSettings) -> Path:
    base = settings.root / row.storage_path
    return base / name if row.kind == ItemKind.capture else base


def _chunks(row: store.EvidenceItemRow, name: str, settings: EvidenceSettings) -> Iterator[bytes]:
    """The plain content of one stored file of the item (opened now: a missing file is NotFound now)."""
    if row.deleted_at is not None:
        raise _deleted()
    if name not in _file_names(row):
        raise NotFound("evidence file", name[:100])
    path = _stored(row, name, settings)
    if not path.is_file():
        raise NotFound("evidence file", name)
    if row.sealed:
        return _vault(settings).open_stream(path, item_id=row.id, name=name)
    return iter([path.read_bytes()])  # written before files were sealed (`mamori evidence seal-stored`)


def _read(row: store.EvidenceItemRow, name: str, settings: EvidenceSettings) -> bytes | None:
    try:
        return b"".join(_chunks(row, name, settings))
    except NotFound:
        return None


def stored_files(item_id: str, *, by: Principal, db: Session, settings: EvidenceSettings) -> list[str]:
    """The names of the item's files that may be downloaded (none once it was deleted)."""
    row = _authorized_row(by, item_id, Access.read, db)
    if row.deleted_at is not None:
        return []
    return [name for name in _file_names(row) if _stored(row, name, settings).is_file()]


def capture_metadata(
    item_id: str, *, by: Principal, db: Session, settings: EvidenceSettings
) -> dict[str, Any]:
    """A capture's metadata.json (URLs, server, certificate, software, each file's SHA-256); {} otherwise."""
    row = _authorized_row(by, item_id, Access.read, db)
    if row.kind != ItemKind.capture or row.deleted_at is not None:
        return {}
    raw = _read(row, package.METADATA, settings)
    data: dict[str, Any] = json.loads(raw) if raw else {}
    return data


def _picture(row: store.EvidenceItemRow, settings: EvidenceSettings) -> bytes | None:
    if row.kind == ItemKind.capture:
        return _read(row, "screenshot-banded.png", settings)
    return _read(row, row.file_name, settings) if row.media_type.startswith("image/") else None


def thumbnail(
    item_id: str, *, by: Principal, db: Session, settings: EvidenceSettings, width: int = 640
) -> bytes | None:
    """The top of the banded screenshot (capture) or of the image (upload) as a PNG; not ledgered."""
    row = _authorized_row(by, item_id, Access.read, db)
    if row.deleted_at is not None:
        raise _deleted()
    return report.thumbnail(_picture(row, settings), width=width)


@dataclass(frozen=True)
class Copy:
    """A file handed out: its name, type, and the original bytes in pieces."""

    name: str
    media_type: str
    chunks: Iterator[bytes]


def export(
    item_id: str,
    *,
    by: Principal,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
    name: str | None = None,
) -> Copy:
    """Hand out one file of the item (default: the upload, or a capture's WACZ), recorded in the ledger."""
    row = _authorized_row(by, item_id, Access.read, db)
    name = name or row.file_name
    chunks = _chunks(row, name, settings)
    item = store.to_item(row)
    record(item, LedgerAction.export, actor=by.actor.ident, reason=reason, at=clock.now(), db=db, file=name)
    media = (
        item.media_type
        if name == item.file_name
        else MEDIA.get(Path(name).suffix, "application/octet-stream")
    )
    return Copy(name, media, chunks)


# ---------------------------------------------------------------- the ledger


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


# ---------------------------------------------------------------- adding and changing


def keep_capture(
    owner: Owner,
    url: str,
    result: CaptureResult,
    *,
    actor: str,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
    item_id: str | None = None,
) -> EvidenceItem:
    """Seal a capture's package under the evidence root and add its item and ledger entry (caller's
    transaction). Files first: a rollback may leave an orphan folder, never a row without its files."""
    item_id = item_id or new_id()
    relative = Path("items") / item_id
    scratch = settings.root / "scratch" / item_id  # the plain package, only until it is sealed
    try:
        meta, profile = package.write_package(scratch, result, item_id=item_id, settings=settings)
        metadata_sha = hashlib.sha256((scratch / package.METADATA).read_bytes()).hexdigest()
        vault = _vault(settings)
        for name in PACKAGE_FILES:
            if (scratch / name).is_file():
                vault.seal_file(scratch / name, settings.root / relative / name, item_id=item_id, name=name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    wacz = meta["files"][package.WACZ]
    db.add(
        store.EvidenceItemRow(
            id=item_id,
            owner_type=str(owner.type),
            owner_id=owner.id,
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
            sealed=True,
        )
    )
    db.flush()
    item = store.to_item(db.get_one(store.EvidenceItemRow, item_id))
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


def discard_files(item_id: str, settings: EvidenceSettings) -> None:
    """Remove the files of an item that was never recorded (a capture another worker finished first)."""
    shutil.rmtree(settings.root / "items" / item_id, ignore_errors=True)


def upload(
    owner_type: str,
    owner_id: str,
    file_name: str,
    content: bytes,
    *,
    by: Principal,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
    redacts: str | None = None,
) -> EvidenceItem:
    """Keep a file the person saved (hashed on arrival), or a redacted working copy of an item (`redacts`)."""
    owner = authorize(by, owner_type, owner_id, Access.change, db=db)
    return _keep_upload(
        owner,
        file_name,
        content,
        actor=by.actor.ident,
        reason=reason,
        db=db,
        settings=settings,
        clock=clock,
        redacts=redacts,
        by=by,
    )


def attach_from_requester(
    case_id: str,
    files: list[tuple[str, bytes]],
    *,
    receipt_number: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
) -> list[EvidenceItem]:
    """Files a requester sends with the public removal-request form, kept as the new case's evidence.

    The requester has no account: the only authority is having filed the case in this same transaction
    (the caller files it first). Each file is typed by its content, hashed and sealed, and enters the
    ledger as attached by the requester.
    """
    owner = parse_owner("case", case_id)
    requests.get_case_row(db, case_id)
    return [
        _keep_upload(
            owner,
            name,
            content,
            actor=f"requester:{receipt_number}",
            reason="attached by the requester to the removal request",
            db=db,
            settings=settings,
            clock=clock,
        )
        for name, content in files
    ]


def requester_attached(case_id: str, *, db: Session) -> bool:
    """Whether the requester's own files were already kept for this case (a replayed form sends none twice)."""
    return (
        db.scalar(
            select(store.EvidenceItemRow.id).where(
                store.EvidenceItemRow.owner_type == "case",
                store.EvidenceItemRow.owner_id == case_id,
                store.EvidenceItemRow.created_by.startswith("requester:"),
            )
        )
        is not None
    )


def _keep_upload(
    owner: Owner,
    file_name: str,
    content: bytes,
    *,
    actor: str,
    reason: str,
    db: Session,
    settings: EvidenceSettings,
    clock: Clock,
    redacts: str | None = None,
    by: Principal | None = None,
) -> EvidenceItem:
    refuse_control_characters(file_name, field="file", single_line=True)
    uploads.check_size(len(content), settings.max_upload_bytes)
    media_type, ext = uploads.sniff(content)
    if redacts is not None:
        assert by is not None  # a redaction is made by a signed-in person
        original = _authorized_row(by, redacts, Access.change, db)
        if (original.owner_type, original.owner_id) != (str(owner.type), owner.id):
            raise DomainError(
                code="evidence_redaction_owner",
                field="redacts",
                ja="墨消し版は元の証拠と同じ案件・相談に添付してください。",
                en="A redacted copy belongs to the same case or consultation as its original.",
            )
    sha = hashlib.sha256(content).hexdigest()
    item_id = new_id()
    stem = SAFE_NAME.sub("_", Path(file_name).stem)[:80] or "file"
    relative = Path("items") / item_id / f"{stem}.{ext}"
    _vault(settings).seal_bytes(content, settings.root / relative, item_id=item_id, name=relative.name)
    at = clock.now()
    db.add(
        store.EvidenceItemRow(
            id=item_id,
            owner_type=str(owner.type),
            owner_id=owner.id,
            kind=str(ItemKind.redaction if redacts else ItemKind.upload),
            sha256=sha,
            captured_at=at,
            file_name=relative.name,
            media_type=media_type,
            size=len(content),
            storage_path=str(relative),
            parent_id=redacts,
            created_by=actor,
            sealed=True,
        )
    )
    db.flush()
    item = store.to_item(db.get_one(store.EvidenceItemRow, item_id))
    action = LedgerAction.redaction if redacts else LedgerAction.upload
    detail = {"original_name": file_name[:200], "media_type": media_type} | (
        {"redacts": redacts} if redacts else {}
    )
    record(item, action, actor=actor, reason=reason, at=at, db=db, **detail)
    return item


def hand_over(
    item_id: str, recipient: str, *, by: Principal, reason: str, db: Session, clock: Clock
) -> LedgerEntry:
    """Record that the item was handed to someone (a lawyer, the police, the 法務局)."""
    row = _authorized_row(by, item_id, Access.change, db)
    recipient = recipient.strip()
    if not recipient:
        raise DomainError(
            code="evidence_recipient",
            field="recipient",
            ja="渡した相手を入力してください。",
            en="Name the recipient.",
        )
    refuse_control_characters(recipient, field="recipient", single_line=True)
    return record(
        store.to_item(row),
        LedgerAction.handover,
        actor=by.actor.ident,
        reason=reason,
        at=clock.now(),
        db=db,
        recipient=recipient,
    )


def delete(
    item_id: str, *, by: Principal, reason: str, db: Session, settings: EvidenceSettings, clock: Clock
) -> None:
    """Delete the item's files; its row and every ledger entry stay, with who deleted it and why."""
    row = _authorized_row(by, item_id, Access.change, db)
    if not reason.strip():
        raise DomainError(
            code="evidence_reason", field="reason", ja="削除の理由を入力してください。", en="Give a reason."
        )
    if row.deleted_at is not None:
        return
    at = clock.now()
    record(store.to_item(row), LedgerAction.deletion, actor=by.actor.ident, reason=reason, at=at, db=db)
    row.deleted_at = at
    db.flush()
    shutil.rmtree(settings.root / "items" / row.id, ignore_errors=True)


# ---------------------------------------------------------------- the report


def report_for(
    owner_type: str, owner_id: str, *, by: Principal, db: Session, settings: EvidenceSettings, clock: Clock
) -> report.Report:
    """The evidence report of a case or consultation (render with report.render_pdf / render_html)."""
    owner = authorize(by, owner_type, owner_id, Access.read, db=db)
    entries = [
        report.ReportItem(store.to_item(row), report.thumbnail(_picture(row, settings)))
        for row in store.items_of(db, str(owner.type), owner.id)
    ]
    return report.Report(
        owner_type=str(owner.type),
        owner_id=owner.id,
        generated_at=clock.now(),
        ledger_intact=not ledger_problems(db=db),
        items=entries,
    )


# ---------------------------------------------------------------- upkeep


def seal_stored(*, db: Session, settings: EvidenceSettings) -> int:
    """Seal in place the files of items stored before sealing existed; returns how many items."""
    vault = _vault(settings)
    count = 0
    rows = db.scalars(select(store.EvidenceItemRow).where(store.EvidenceItemRow.sealed.is_(False))).all()
    for row in rows:
        if row.deleted_at is None:
            for name in _file_names(row):
                path = _stored(row, name, settings)
                if path.is_file():
                    vault.seal_file(path, path, item_id=row.id, name=name)
        row.sealed = True
        count += 1
    db.flush()
    return count
