"""Banks exchanged as hashes only: JSON lines, a header then one fingerprint per line, no text.

    {"format": "mamori-repost-bank", "format_version": 1, "bank_version": 7, "source": "...",
     "exported_at": "...", "algorithm": {...MinHash parameters...}, "pdq": {"bits": 256}, "count": 2}
    {"id": "...", "kind": "text", "minhash": "<hex>", "bands": ["<16 hex>", ...], "clause": "2.1",
     "criteria_version": "2026.1", "banked_at": "..."}
    {"id": "...", "kind": "image", "pdq": "<64 hex>", "clause": "2.1", ...}

A receiver with another index may use the band keys alone; mamori checks they agree with the signature.
A malformed file is refused whole, naming the line: nothing of it is imported.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.errors import DomainError, Forbidden
from mamori.reposts import model, service, store

FORMAT = "mamori-repost-bank"
FORMAT_VERSION = 1
MAX_LINE = 8192
MAX_ENTRIES = 20_000_000


def algorithm() -> dict[str, Any]:
    return {
        "name": model.ALGORITHM,
        "normalisation": "nfkc,casefold,katakana-to-hiragana,letters-and-digits-only,collapse-runs",
        "shingle_chars": model.SHINGLE,
        "num_perm": model.NUM_PERM,
        "bands": model.BANDS,
        "rows": model.ROWS,
        "seed": model.SEED,
        "hash": "splitmix64 of code points; permutation a*h+b mod 2^32 (a odd) over the top 32 bits",
        "band_key": "splitmix64(sum(row_mul*v) xor band_salt), hex",
    }


def export_lines(*, db: Session, at: dt.datetime, by: Actor, source: str) -> Iterator[str]:
    """The bank (local and imported entries in force), one JSON object per line, header first."""
    if not by.may("repost.manage"):
        raise Forbidden()
    rows = list(
        db.scalars(
            select(store.FingerprintRow)
            .where(store.FingerprintRow.source != "withdrawn")
            .order_by(store.FingerprintRow.created_at, store.FingerprintRow.id)
        )
    )
    version = service.bank_version(db)
    audit.record(
        db,
        at=at,
        actor=by,
        action="repost.bank_exported",
        subject_type="repost_bank",
        subject_id=str(version),
        count=len(rows),
    )
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "bank_version": version,
        "source": source,
        "exported_at": at.isoformat(),
        "algorithm": algorithm(),
        "pdq": {"bits": model.PDQ_BITS},
        "count": len(rows),
    }
    yield json.dumps(header, ensure_ascii=False, sort_keys=True)
    for row in rows:
        entry: dict[str, Any] = {
            "id": row.external_id or row.id,
            "kind": row.kind,
            "clause": row.clause_code,
            "criteria_version": row.criteria_version,
            "banked_at": row.created_at.isoformat(),
        }
        if row.kind == "text" and row.signature:
            sig = model.signature_from_hex(row.signature)
            entry["minhash"] = row.signature
            entry["bands"] = [f"{k:016x}" for k in model.band_keys(sig[None, :])[0]]
        else:
            entry["pdq"] = row.pdq
        yield json.dumps(entry, ensure_ascii=False, sort_keys=True)


class BankFileError(DomainError):
    def __init__(self, where: str, line: int, ja: str, en: str) -> None:
        super().__init__(
            code="bad_bank_file", field="file", ja=f"{where}:{line}: {ja}", en=f"{where}:{line}: {en}"
        )


_OPTIONAL_TEXT = re.compile(r"[0-9A-Za-z.\-_]{1,40}")


def _entry(obj: Any, where: str, n: int) -> dict[str, Any]:
    def bad(ja: str, en: str) -> BankFileError:
        return BankFileError(where, n, ja, en)

    if not isinstance(obj, dict):
        raise bad("JSONオブジェクトではありません", "not a JSON object")
    allowed = {"id", "kind", "minhash", "bands", "pdq", "clause", "criteria_version", "banked_at"}
    extra = set(obj) - allowed
    if extra:
        # a bank carries hashes only: any other field (text above all) is refused
        raise bad(f"不明な項目 {sorted(extra)}", f"unknown fields {sorted(extra)} (a bank holds hashes only)")
    ident = obj.get("id")
    if not isinstance(ident, str) or not 1 <= len(ident) <= 100:
        raise bad("id がありません", "id missing or longer than 100 characters")
    for name in ("clause", "criteria_version"):
        value = obj.get(name)
        if value is not None and not (isinstance(value, str) and _OPTIONAL_TEXT.fullmatch(value)):
            raise bad(f"{name} が不正です", f"{name} is not a short code")
    kind = obj.get("kind")
    if kind == "text":
        try:
            sig = model.signature_from_hex(str(obj.get("minhash", "")))
        except ValueError as exc:
            raise bad("minhash が不正です", f"minhash: {exc}") from exc
        bands = obj.get("bands")
        expected = [f"{k:016x}" for k in model.band_keys(sig[None, :])[0]]
        if bands is not None and bands != expected:
            raise bad("bands が minhash と一致しません", "bands do not agree with the minhash")
        return {
            "kind": "text",
            "signature": sig,
            **{k: obj.get(k) for k in ("id", "clause", "criteria_version")},
        }
    if kind == "image":
        try:
            pdq = model.check_pdq_hex(str(obj.get("pdq", "")))
        except ValueError as exc:
            raise bad("pdq が不正です", str(exc)) from exc
        return {"kind": "image", "pdq": pdq, **{k: obj.get(k) for k in ("id", "clause", "criteria_version")}}
    raise bad("kind は text か image です", "kind must be text or image")


def parse(lines: Iterable[str], where: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read and check a whole bank file (header, then entries); the first fault raises with file:line."""
    header: dict[str, Any] | None = None
    entries: list[dict[str, Any]] = []
    for n, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise BankFileError(where, n, "行が長すぎます", "line too long")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BankFileError(
                where, n, f"JSONとして読めません ({exc.msg})", f"not JSON ({exc.msg})"
            ) from exc
        if header is None:
            if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                raise BankFileError(where, n, f"{FORMAT} の見出し行がありません", f"no {FORMAT} header line")
            if obj.get("format_version") != FORMAT_VERSION:
                raise BankFileError(
                    where, n, "形式の版が違います", f"format_version must be {FORMAT_VERSION}"
                )
            if obj.get("algorithm") != algorithm():
                raise BankFileError(
                    where,
                    n,
                    "指紋の算法・パラメータが違います",
                    "algorithm parameters differ from this mamori's",
                )
            source = obj.get("source")
            if not isinstance(source, str) or not 1 <= len(source) <= 80:
                raise BankFileError(where, n, "source がありません", "source missing (1-80 characters)")
            header = obj
            continue
        if len(entries) >= MAX_ENTRIES:
            raise BankFileError(where, n, "件数が多すぎます", "too many entries")
        entries.append(_entry(obj, where, n))
    if header is None:
        raise BankFileError(where, 1, "空のファイルです", "empty file")
    if isinstance(header.get("count"), int) and header["count"] != len(entries):
        raise BankFileError(
            where, n, "件数が見出しと違います", f"header says {header['count']} entries, found {len(entries)}"
        )
    return header, entries


def import_lines(
    lines: Iterable[str], where: str, *, db: Session, at: dt.datetime, by: Actor
) -> tuple[str, int, int]:
    """Import a peer's bank: replaces what an earlier import from the same source brought. Returns the
    source's name, the entries added and the bank's new version."""
    if not by.may("repost.manage"):
        raise Forbidden()
    header, entries = parse(lines, where)
    source = f"import:{header['source']}"
    reviewed = set(db.scalars(select(store.MatchRow.fingerprint_id)))
    for old in list(db.scalars(select(store.FingerprintRow).where(store.FingerprintRow.source == source))):
        for band in db.scalars(select(store.BandKeyRow).where(store.BandKeyRow.fingerprint_id == old.id)):
            db.delete(band)
        if old.id in reviewed:
            old.source = "withdrawn"  # kept for its review items, never matched again
        else:
            db.delete(old)
    db.flush()
    version = service.bank_version(db) + 1
    for entry in entries:
        common = {
            "at": at,
            "version": version,
            "source": source,
            "external_id": entry["id"],
            "clause_code": entry["clause"],
            "criteria_version": entry["criteria_version"],
        }
        if entry["kind"] == "text":
            service.add_text(db, "", signature=entry["signature"], **common)
        else:
            service.add_image_hash(db, entry["pdq"], **common)
    audit.record(
        db,
        at=at,
        actor=by,
        action="repost.bank_imported",
        subject_type="repost_bank",
        subject_id=str(version),
        source=source,
        count=len(entries),
        peer_version=header.get("bank_version"),
    )
    return source, len(entries), version
