"""The ledger's hash chain: intact chains verify, any removed or altered entry is named."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from mamori.evidence import ledger
from mamori.evidence.model import LedgerAction, LedgerEntry

T0 = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.UTC)


def make_chain(n: int) -> list[LedgerEntry]:
    chain: list[LedgerEntry] = []
    for i in range(n):
        raw = LedgerEntry(
            seq=0,
            at=T0 + dt.timedelta(minutes=i),
            actor="user:counsellor",
            action=LedgerAction.capture if i % 2 == 0 else LedgerAction.export,
            item_id=f"item{i}",
            item_sha256=f"{i:064x}",
            reason="相談者の依頼",
        )
        chain.append(ledger.chain_next(chain[-1] if chain else None, raw))
    return chain


def test_an_intact_chain_verifies() -> None:
    assert ledger.verify_chain(make_chain(10)) == []


def test_removing_an_entry_is_detected_and_named() -> None:
    chain = make_chain(10)
    del chain[4]
    problems = ledger.verify_chain(chain)
    assert problems and problems[0].seq == 6
    assert "missing" in str(problems[0])


def test_removing_the_last_entry_is_not_detectable_from_the_chain_alone_but_seq_counts() -> None:
    # A truncated tail still chains; the signed head (count + hash) in an export is what catches it.
    chain = make_chain(5)
    assert ledger.verify_chain(chain[:-1]) == []


def test_altering_an_entry_is_detected_and_named() -> None:
    chain = make_chain(6)
    chain[2] = dataclasses.replace(chain[2], reason="書き換え")
    problems = ledger.verify_chain(chain)
    assert [p.seq for p in problems] == [3]
    assert "altered" in problems[0].message


def test_jsonl_round_trip_keeps_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "ledger.jsonl"
    assert ledger.write_jsonl(make_chain(7), path) == 7
    assert ledger.verify_chain(ledger.read_jsonl(path)) == []
