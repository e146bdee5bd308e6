"""The drafting capability lists a case's evidence through service.items_for (for someone who may read it)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import new_id
from mamori.core.errors import DomainError
from mamori.evidence import service, store
from mamori.evidence.model import ItemKind, LedgerAction, LedgerEntry
from mamori.evidence.service import items_for
from tests.evidence.factories import a_case, person

T0 = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)


def add_item(db: Session, owner_id: str, *, minutes: int = 0, deleted: bool = False) -> str:
    ident = new_id()
    db.add(
        store.EvidenceItemRow(
            id=ident,
            owner_type="case",
            owner_id=owner_id,
            kind="upload",
            sha256="a" * 64,
            captured_at=T0 + dt.timedelta(minutes=minutes),
            url=None,
            file_name=f"{ident}.png",
            media_type="image/png",
            size=3,
            storage_path=f"items/{ident}/x.png",
            created_by="user:x",
            deleted_at=T0 if deleted else None,
        )
    )
    db.flush()
    return ident


def test_items_for_lists_a_cases_items_oldest_first_without_deleted(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case1, case2 = a_case(db, settings, clock.now()), a_case(db, settings, clock.now())
    second = add_item(db, case1, minutes=5)
    first = add_item(db, case1, minutes=1)
    add_item(db, case1, deleted=True)
    add_item(db, case2)
    items = items_for("case", case1, by=person(db, "specialist", clock.now()).principal, db=db)
    assert [i.id for i in items] == [first, second]
    assert items[0].kind is ItemKind.upload and items[0].sha256 == "a" * 64
    assert items[0].captured_at == T0 + dt.timedelta(minutes=1)


def test_items_for_refuses_an_unknown_owner_type(db: Session, clock: FixedClock) -> None:
    with pytest.raises(DomainError) as err:
        items_for("tweet", new_id(), by=person(db, "specialist", clock.now()).principal, db=db)
    assert err.value.field == "owner_type" and err.value.status == 422


def test_ledger_rows_cannot_be_updated_or_deleted(db: Session) -> None:
    entry = store.append_ledger(
        db,
        LedgerEntry(
            seq=0,
            at=T0,
            actor="system",
            action=LedgerAction.capture,
            item_id="i",
            item_sha256="b" * 64,
            reason="r",
        ),
    )
    assert entry.seq >= 1
    with pytest.raises(Exception, match="append-only"):
        with db.begin_nested():
            db.execute(text("UPDATE evidence_ledger SET reason = 'x'"))
    with pytest.raises(Exception, match="append-only"):
        with db.begin_nested():
            db.execute(text("DELETE FROM evidence_ledger"))
    assert service.ledger_problems(db=db) == []
