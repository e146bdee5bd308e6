"""Evidence files are sealed at rest (AES-256-GCM, bound to item and file); the SHA-256, the ledger and a
download are of the original bytes; a sealed file moved, cut short or reordered does not open; items
stored before sealing stay readable and `seal-stored` seals them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError
from mamori.evidence import service, store, vault
from mamori.evidence.cli import app as evidence_cli
from mamori.evidence.settings import evidence_settings
from mamori.evidence.vault import MAGIC, Vault
from tests.evidence.factories import a_consultation, person, png, upload

SECRET = "a test secret of more than 32 characters"


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 32, 33, 100])
def test_sealed_content_opens_to_the_same_bytes_whatever_its_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(vault, "SEGMENT", 16)  # many segments from a few bytes
    content = os.urandom(size)
    target = tmp_path / "f"
    Vault(SECRET).seal_chunks([content[:5], content[5:]], target, item_id="i", name="n")
    assert Vault(SECRET).read_bytes(target, item_id="i", name="n") == content
    # a few random bytes can occur in any ciphertext by chance: only a longer run says it was not sealed
    assert len(content) < 8 or content not in target.read_bytes()


def test_a_sealed_file_opens_only_as_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vault, "SEGMENT", 16)
    target = tmp_path / "f"
    Vault(SECRET).seal_bytes(b"0123456789" * 5, target, item_id="i", name="n")
    sealed = target.read_bytes()
    header, body = sealed[: len(MAGIC) + 9], sealed[len(MAGIC) + 9 :]
    segments = [body[i : i + 32] for i in range(0, len(body), 32)]
    variants = {
        "another item": (sealed, "j", "n", SECRET),
        "another file name": (sealed, "i", "m", SECRET),
        "another key": (sealed, "i", "n", "another secret of more than 32 chars"),
        "cut short at a segment": (header + b"".join(segments[:-1]), "i", "n", SECRET),
        "segments swapped": (header + segments[1] + segments[0] + b"".join(segments[2:]), "i", "n", SECRET),
        "one byte changed": (sealed[:-1] + bytes([sealed[-1] ^ 1]), "i", "n", SECRET),
        "not sealed at all": (b"\x89PNG plain", "i", "n", SECRET),
    }
    for why, (data, item_id, name, secret) in variants.items():
        target.write_bytes(data)
        with pytest.raises(DomainError) as err:
            Vault(secret).read_bytes(target, item_id=item_id, name=name)
        assert err.value.code == "evidence_file_damaged", why


def test_no_key_no_sealing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MAMORI_SECRET_KEY"):
        Vault("")


def test_an_upload_is_stored_sealed_and_handed_out_as_it_came(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    counsellor = person(db, "counsellor", clock.now())
    record = a_consultation(db, counsellor.principal, settings, clock.now())
    content = png((200, 10, 10), size=(300, 200))
    created = client.post(
        "/api/v1/evidence/uploads",
        data={"owner_type": "consultation", "owner_id": record},
        files={"file": ("写真.png", content, "image/png")},
        headers=counsellor.headers,
    ).json()
    (stored,) = (evidence_settings(settings).root / "items" / created["id"]).iterdir()
    at_rest = stored.read_bytes()
    assert at_rest.startswith(MAGIC) and content not in at_rest and b"IHDR" not in at_rest
    assert created["sha256"] == hashlib.sha256(content).hexdigest() and created["size"] == len(content)
    download = client.get(f"/api/v1/evidence/items/{created['id']}/download", headers=counsellor.headers)
    assert download.content == content
    (entry,) = [e for e in store.ledger_entries(db, item_id=created["id"]) if e.action == "upload"]
    assert entry.item_sha256 == hashlib.sha256(content).hexdigest()
    assert service.ledger_problems(db=db) == []
    thumb = counsellor.signed_in(client).get(f"/evidence/items/{created['id']}/thumbnail.png")
    assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")


def test_a_sealed_file_copied_onto_another_item_does_not_open(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    counsellor = person(db, "counsellor", clock.now())
    record = a_consultation(db, counsellor.principal, settings, clock.now())
    first = upload(db, settings, clock, counsellor.principal, "consultation", record, png((1, 2, 3)))
    second = upload(db, settings, clock, counsellor.principal, "consultation", record, png((4, 5, 6)))
    root = evidence_settings(settings).root
    (first_file,) = (root / "items" / first.id).iterdir()
    (second_file,) = (root / "items" / second.id).iterdir()
    second_file.write_bytes(first_file.read_bytes())
    answer = client.get(f"/api/v1/evidence/items/{second.id}/download", headers=counsellor.headers)
    assert answer.status_code == 500 and answer.json()["error"] == "evidence_file_damaged"


def test_items_stored_before_sealing_are_read_then_sealed_by_the_command(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    fresh_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits = evidence_settings(settings.model_copy(update={"database_url": fresh_database_url}))
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as fresh:
        counsellor = person(fresh, "counsellor", clock.now())
        record = a_consultation(fresh, counsellor.principal, settings, clock.now())
        item = upload(fresh, limits, clock, counsellor.principal, "consultation", record)
        row = fresh.get_one(store.EvidenceItemRow, item.id)
        path = limits.root / row.storage_path
        path.write_bytes(png())  # as it was written before sealing existed
        row.sealed = False
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as fresh:
        copy = service.export(
            item.id, by=counsellor.principal, reason="", db=fresh, settings=limits, clock=clock
        )
        assert b"".join(copy.chunks) == png()
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_DATA_DIR", str(settings.data_dir))
    result = CliRunner().invoke(evidence_cli, ["seal-stored"])
    assert result.exit_code == 0 and "1 items sealed" in result.output, result.output
    assert path.read_bytes().startswith(MAGIC)
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as fresh:
        assert fresh.get_one(store.EvidenceItemRow, item.id).sealed
        copy = service.export(
            item.id, by=counsellor.principal, reason="", db=fresh, settings=limits, clock=clock
        )
        assert b"".join(copy.chunks) == png()
