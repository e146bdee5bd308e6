"""Uploads, redactions, hand-overs and deletions all enter the ledger; exports verify offline."""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from mamori.core.auth import Principal
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.evidence import service, store
from mamori.evidence.model import EvidenceItem, LedgerAction
from mamori.evidence.settings import EvidenceSettings
from mamori.evidence.verify import verify_path
from tests.evidence.factories import a_consultation, person


def png_bytes(colour: tuple[int, int, int] = (0, 0, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), colour).save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Desk:
    """A counsellor's consultation and where its evidence is kept."""

    db: Session
    settings: EvidenceSettings
    clock: FixedClock
    counsellor: Principal
    record: str

    def upload(self, content: bytes, **kw: str) -> EvidenceItem:
        return service.upload(
            "consultation",
            self.record,
            "スクショ.png",
            content,
            by=self.counsellor,
            reason="相談者が保存",
            db=self.db,
            settings=self.settings,
            clock=self.clock,
            **kw,
        )


@pytest.fixture
def desk(db: Session, settings: Settings, clock: FixedClock, tmp_path: Path) -> Desk:
    counsellor = person(db, "counsellor", clock.now()).principal
    return Desk(
        db,
        EvidenceSettings(root=tmp_path / "evidence", max_upload_bytes=10_000, secret_key="s" * 32),
        clock,
        counsellor,
        a_consultation(db, counsellor, settings, clock.now()),
    )


def test_an_upload_is_hashed_on_arrival_typed_by_content_and_ledgered(desk: Desk) -> None:
    content = png_bytes()
    item = desk.upload(content)
    assert item.media_type == "image/png" and item.file_name.endswith(".png")
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    entries = list(store.ledger_entries(desk.db, item_id=item.id))
    assert [e.action for e in entries] == [LedgerAction.upload]
    assert service.items_for("consultation", desk.record, by=desk.counsellor, db=desk.db) == [item]


def test_an_upload_that_is_not_media_is_refused_whatever_its_name(desk: Desk) -> None:
    with pytest.raises(DomainError) as err:
        desk.upload(b"<script>alert(1)</script>")
    assert err.value.code == "evidence_upload_type"
    with pytest.raises(DomainError) as err:
        desk.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 20_000)
    assert err.value.code == "evidence_upload_too_large"


def test_a_redacted_copy_points_to_its_untouched_original(desk: Desk) -> None:
    original = desk.upload(png_bytes())
    copy = desk.upload(png_bytes((0, 0, 0)), redacts=original.id)
    assert copy.parent_id == original.id and copy.kind == "redaction"
    assert service.get_item(original.id, by=desk.counsellor, db=desk.db).sha256 == original.sha256


def test_handover_and_deletion_say_who_and_why(desk: Desk, clock: FixedClock) -> None:
    item = desk.upload(png_bytes())
    db, by = desk.db, desk.counsellor
    service.hand_over(item.id, " 山田弁護士 ", by=by, reason="開示請求のため", db=db, clock=clock)
    service.delete(item.id, by=by, reason="相談者の求め", db=db, settings=desk.settings, clock=clock)
    entries = list(store.ledger_entries(db, item_id=item.id))
    assert [e.action for e in entries] == [LedgerAction.upload, LedgerAction.handover, LedgerAction.deletion]
    assert entries[1].detail == {"recipient": "山田弁護士"} and entries[2].actor == by.actor.ident
    assert service.items_for("consultation", desk.record, by=by, db=db) == []
    assert service.get_item(item.id, by=by, db=db).deleted_at == clock.now()
    assert not (desk.settings.root / "items" / item.id).exists()
    assert service.ledger_problems(db=db) == []


def test_removing_one_entry_from_a_ledger_export_is_named(desk: Desk, tmp_path: Path) -> None:
    for _ in range(4):
        desk.upload(png_bytes())
    out = tmp_path / "ledger.jsonl"
    count = service.export_ledger(out, db=desk.db, settings=desk.settings)
    assert verify_path(out) == ("ledger", [])
    lines = out.read_text().splitlines()
    removed = json.loads(lines[1])["seq"]
    out.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    _kind, problems = verify_path(out)
    assert problems and problems[0].startswith(f"ledger entry {removed + 1}:")
    assert any(f"says {count}" in p for p in problems)


def test_removing_the_last_entry_is_caught_by_the_signed_head(desk: Desk, tmp_path: Path) -> None:
    for _ in range(3):
        desk.upload(png_bytes())
    out = tmp_path / "ledger.jsonl"
    service.export_ledger(out, db=desk.db, settings=desk.settings)
    out.write_text("\n".join(out.read_text().splitlines()[:-1]) + "\n")
    _kind, problems = verify_path(out)
    assert any("last entry" in p for p in problems)
