"""The append-only evidence ledger as a hash chain: each entry carries the hash of the one before.

Removing, reordering or altering any entry breaks the chain at that point, and `verify_chain` says
where. The chain is checkable offline from a JSON Lines export (`mamori evidence verify ledger.jsonl`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mamori.evidence.model import GENESIS_HASH, LedgerAction, LedgerEntry


def _canonical(entry: LedgerEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": str(entry.action),
        "item_id": entry.item_id,
        "item_sha256": entry.item_sha256,
        "reason": entry.reason,
        "detail": entry.detail,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def entry_hash(entry: LedgerEntry) -> str:
    """SHA-256 of the entry's canonical JSON (every field but entry_hash itself)."""
    return hashlib.sha256(_canonical(entry)).hexdigest()


def chain_next(previous: LedgerEntry | None, entry: LedgerEntry) -> LedgerEntry:
    """The entry linked after `previous`: its seq, prev_hash and entry_hash filled in."""
    linked = replace(
        entry,
        seq=(previous.seq + 1) if previous else 1,
        prev_hash=previous.entry_hash if previous else GENESIS_HASH,
    )
    return replace(linked, entry_hash=entry_hash(linked))


@dataclass(frozen=True)
class LedgerProblem:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"ledger entry {self.seq}: {self.message}"


def verify_chain(entries: Iterable[LedgerEntry]) -> list[LedgerProblem]:
    """Every break in the chain: altered entries, missing or reordered ones. Empty when intact."""
    problems: list[LedgerProblem] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                LedgerProblem(entry.seq, f"expected entry {expected_seq} here: an entry is missing or moved")
            )
        if entry.prev_hash != expected_prev:
            problems.append(
                LedgerProblem(entry.seq, "does not follow the entry before it (removed or altered entry)")
            )
        if entry_hash(entry) != entry.entry_hash:
            problems.append(LedgerProblem(entry.seq, "content does not match its hash (entry altered)"))
        expected_prev = entry.entry_hash
        expected_seq = entry.seq + 1
    return problems


def to_json(entry: LedgerEntry) -> dict[str, Any]:
    return json.loads(_canonical(entry)) | {"entry_hash": entry.entry_hash}


def from_json(data: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        seq=int(data["seq"]),
        at=dt.datetime.fromisoformat(data["at"]),
        actor=data["actor"],
        action=LedgerAction(data["action"]),
        item_id=data["item_id"],
        item_sha256=data["item_sha256"],
        reason=data["reason"],
        detail=dict(data.get("detail") or {}),
        prev_hash=data["prev_hash"],
        entry_hash=data["entry_hash"],
    )


def write_jsonl(entries: Iterable[LedgerEntry], path: Path) -> int:
    """Export the ledger as JSON Lines; returns the number of entries written."""
    count = 0
    with path.open("w", encoding="utf-8") as fh:
        for entry in entries:
            fh.write(json.dumps(to_json(entry), ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    return count


def read_jsonl(path: Path) -> Iterator[LedgerEntry]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield from_json(json.loads(line))
