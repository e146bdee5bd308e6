"""Offline verification of what mamori hands out: a capture package, a WACZ, or a ledger export."""

from __future__ import annotations

import json
from pathlib import Path

from mamori.evidence import ledger, package, signing, warc


def verify_ledger_file(path: Path) -> list[str]:
    """Chain breaks in a ledger export, and a mismatch with its signed head (catches a removed last entry)."""
    problems = [str(p) for p in ledger.verify_chain(ledger.read_jsonl(path))]
    head_path = path.with_name(path.name + ".head.json")
    if not head_path.is_file():
        return [*problems, f"{head_path.name} is missing: the count and last hash cannot be checked"]
    sealed = json.loads(head_path.read_text())
    head = sealed["head"]
    why = signing.verify(json.dumps(head, sort_keys=True).encode(), sealed["signature"])
    if why:
        problems.append(f"{head_path.name}: {why}")
    entries = list(ledger.read_jsonl(path))
    if len(entries) != head["count"]:
        problems.append(f"the export has {len(entries)} entries, its signed head says {head['count']}")
    last = entries[-1].entry_hash if entries else None
    if last != head["last_entry_hash"]:
        problems.append("the last entry is not the one the signed head names (entries removed at the end?)")
    return problems


def verify_path(path: Path, *, tsa_ca: Path | None = None) -> tuple[str, list[str]]:
    """(what it is, problems): a package folder or .zip (a kit), a .wacz file or a ledger .jsonl; empty = intact."""
    if path.is_dir():
        return "capture package", package.verify_package(path, tsa_ca=tsa_ca)
    if path.suffix == ".jsonl":
        return "ledger", verify_ledger_file(path)
    if path.suffix == ".zip":
        from mamori.evidence.kit import verify_zip

        return "evidence package (ZIP)", verify_zip(path, tsa_ca=tsa_ca)
    if path.suffix == ".wacz":
        valid, output = warc.validate_wacz(path)
        return "WACZ", [] if valid else [output.strip()[-500:]]
    if path.is_file():
        return "file", [f"{path.name}: not a package folder, .zip package, .wacz or ledger .jsonl"]
    return "nothing", [f"{path} does not exist"]
