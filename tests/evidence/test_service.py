"""Uploads, redactions, hand-overs and deletions all enter the ledger; exports verify offline."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.errors import DomainError
from mamori.evidence import service, store
from mamori.evidence.model import LedgerAction
from mamori.evidence.settings import EvidenceSettings
from mamori.evidence.verify import verify_path


def png_bytes(colour: tuple[int, int, int] = (0, 0, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def root_settings(tmp_path: Path) -> EvidenceSettings:
    return EvidenceSettings(root=tmp_path / "evidence", max_upload_bytes=10_000)


def upload(db: Session, settings: EvidenceSettings, clock: FixedClock, content: bytes, **kw: str):  # type: ignore[no-untyped-def]
    return service.upload(
        "consultation",
        "c1",
        "スクショ.png",
        content,
        actor="user:c",
        reason="相談者が保存",
        db=db,
        settings=settings,
        clock=clock,
        **kw,
    )


def test_an_upload_is_hashed_on_arrival_typed_by_content_and_ledgered(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock
) -> None:
    content = png_bytes()
    item = upload(db, root_settings, clock, content)
    assert item.media_type == "image/png" and item.file_name.endswith(".png")
    import hashlib

    assert item.sha256 == hashlib.sha256(content).hexdigest()
    entries = list(store.ledger_entries(db, item_id=item.id))
    assert [e.action for e in entries] == [LedgerAction.upload]
    assert service.items_for("consultation", "c1", db=db) == [item]


def test_an_upload_that_is_not_media_is_refused_whatever_its_name(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock
) -> None:
    with pytest.raises(DomainError) as err:
        upload(db, root_settings, clock, b"<script>alert(1)</script>")
    assert err.value.code == "evidence_upload_type"
    with pytest.raises(DomainError) as err:
        upload(db, root_settings, clock, b"\x89PNG\r\n\x1a\n" + b"0" * 20_000)
    assert err.value.code == "evidence_upload_too_large"


def test_a_redacted_copy_points_to_its_untouched_original(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock
) -> None:
    original = upload(db, root_settings, clock, png_bytes())
    copy = upload(db, root_settings, clock, png_bytes((0, 0, 0)), redacts=original.id)
    assert copy.parent_id == original.id and copy.kind == "redaction"
    assert service.get_item(original.id, db=db).sha256 == original.sha256


def test_handover_and_deletion_say_who_and_why(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock
) -> None:
    item = upload(db, root_settings, clock, png_bytes())
    service.hand_over(item.id, "山田弁護士", actor="user:c", reason="開示請求のため", db=db, clock=clock)
    service.delete(item.id, actor="user:s", reason="相談者の求め", db=db, settings=root_settings, clock=clock)
    entries = list(store.ledger_entries(db, item_id=item.id))
    assert [e.action for e in entries] == [LedgerAction.upload, LedgerAction.handover, LedgerAction.deletion]
    assert entries[1].detail == {"recipient": "山田弁護士"} and entries[2].actor == "user:s"
    assert service.items_for("consultation", "c1", db=db) == []
    assert not (root_settings.root / "items" / item.id).exists()
    assert service.ledger_problems(db=db) == []


def test_removing_one_entry_from_a_ledger_export_is_named(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock, tmp_path: Path
) -> None:
    for _ in range(4):
        upload(db, root_settings, clock, png_bytes())
    out = tmp_path / "ledger.jsonl"
    count = service.export_ledger(out, db=db, settings=root_settings)
    assert verify_path(out) == ("ledger", [])
    lines = out.read_text().splitlines()
    removed = json.loads(lines[1])["seq"]
    out.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    _kind, problems = verify_path(out)
    assert problems and problems[0].startswith(f"ledger entry {removed + 1}:")
    assert any(f"says {count}" in p for p in problems)


def test_removing_the_last_entry_is_caught_by_the_signed_head(
    db: Session, root_settings: EvidenceSettings, clock: FixedClock, tmp_path: Path
) -> None:
    for _ in range(3):
        upload(db, root_settings, clock, png_bytes())
    out = tmp_path / "ledger.jsonl"
    service.export_ledger(out, db=db, settings=root_settings)
    out.write_text("\n".join(out.read_text().splitlines()[:-1]) + "\n")
    _kind, problems = verify_path(out)
    assert any("last entry" in p for p in problems)
