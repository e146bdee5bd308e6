"""Validating and writing log records in bulk: from the API (a bounded JSON batch) or from a file
(JSON lines or CSV, streamed: never the whole file in memory).

Every row is checked; a bad row is named (file:line or rows[i], the field, what to fix) and nothing of
the batch is written: the rows are written in the caller's single transaction, which the error rolls
back. On PostgreSQL the rows go in with COPY (psycopg 3), on SQLite with executemany.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from mamori.core.audit import Actor, record
from mamori.core.config import Settings
from mamori.core.db import new_id
from mamori.core.errors import Conflict, DomainError, FieldProblem
from mamori.logs.keys import Keyring, keyring, seal_with
from mamori.logs.model import EVENT_KINDS, PORT_MAX, normalise_assigned, normalise_ip
from mamori.logs.store import AssignmentRow, BatchRow, EventRow, HolderRow

KINDS = ("events", "assignments", "holders")
ROWS_PER_DATA_KEY = 10_000
FLUSH_ROWS = 5_000
MAX_PROBLEMS = 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_LINE = 64 * 1024
TEXT_MAX = 200
ADDRESS_MAX = 500

FIELDS = {
    "events": ("kind", "account_id", "occurred_at", "ip", "port", "mobile_id", "iccid", "post_id"),
    "assignments": ("subscriber_id", "ip", "port_start", "port_end", "start", "end"),
    "holders": ("account_id", "name", "address", "phone", "email", "closed_at"),
}
COLUMNS = {
    "events": (
        "id",
        "kind",
        "occurred_at",
        "account_ix",
        "ip_ix",
        "post_id",
        "key_id",
        "sealed",
        "received_at",
    ),
    "assignments": (
        "id",
        "ip_ix",
        "subscriber_ix",
        "port_start",
        "port_end",
        "start",
        "end",
        "key_id",
        "sealed",
        "received_at",
    ),
    "holders": ("id", "account_ix", "key_id", "sealed", "updated_at", "closed_at"),
}
PG_TYPES = {
    **dict.fromkeys(("id", "kind", "account_ix", "ip_ix", "post_id", "key_id", "subscriber_ix"), "text"),
    **dict.fromkeys(("occurred_at", "received_at", "start", "end", "updated_at", "closed_at"), "timestamptz"),
    "sealed": "bytea",
    "port_start": "int4",
    "port_end": "int4",
}
TABLES: dict[str, Table] = {
    "events": cast(Table, EventRow.__table__),
    "assignments": cast(Table, AssignmentRow.__table__),
    "holders": cast(Table, HolderRow.__table__),
}


class RowProblem(Exception):
    def __init__(self, field: str, ja: str, en: str) -> None:
        super().__init__(en)
        self.field, self.ja, self.en = field, ja, en


def _text(raw: Mapping[str, Any], name: str, *, required: bool = False, limit: int = TEXT_MAX) -> str | None:
    value = raw.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowProblem(name, f"{name} がありません。入れてください。", f"{name} is missing: give it.")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise RowProblem(name, f"{name} は文字列にしてください。", f"{name} must be a string.")
    value = value.strip()
    if len(value) > limit or _CONTROL.search(value):
        raise RowProblem(
            name,
            f"{name} は制御文字を含まない {limit} 文字以内の文字列にしてください。",
            f"{name} must be at most {limit} characters, without control characters.",
        )
    return value


def _time(raw: Mapping[str, Any], name: str, *, required: bool = False) -> dt.datetime | None:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise RowProblem(
                name,
                f"{name} がありません。ISO 8601 の時刻 (例: 2026-12-01T09:30:15+09:00) を入れてください。",
                f"{name} is missing: give an ISO 8601 time (e.g. 2026-12-01T09:30:15+09:00).",
            )
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise RowProblem(
                name,
                f"{name} の {str(value)[:40]!r} は時刻として読めません。例: 2026-12-01T09:30:15+09:00",
                f"{name} {str(value)[:40]!r} is not a time; write e.g. 2026-12-01T09:30:15+09:00.",
            ) from None
    if parsed.tzinfo is None:
        raise RowProblem(
            name,
            f"{name} にタイムゾーンがありません。+09:00 や Z を付けてください。",
            f"{name} has no offset: add +09:00 or Z.",
        )
    return parsed.astimezone(dt.UTC)


def _port(raw: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    value = raw.get(name)
    if value is None or value == "":
        return default
    try:
        port = int(value)
        if isinstance(value, float | bool) or not 0 <= port <= PORT_MAX:
            raise ValueError
    except (TypeError, ValueError):
        raise RowProblem(
            name,
            f"{name} は 0 から 65535 の整数にしてください。",
            f"{name} must be a whole number 0 to 65535.",
        ) from None
    return port


def _ip(raw: Mapping[str, Any], *, required: bool, prefix: bool = False) -> str | None:
    value = _text(raw, "ip", required=required, limit=64)
    if value is None:
        return None
    try:
        return normalise_assigned(value) if prefix else normalise_ip(value)
    except ValueError:
        if prefix:
            raise RowProblem(
                "ip",
                f"ip の {value!r} は IPv4/IPv6 アドレスでも /32〜/64 の IPv6 プレフィックス (例: 2001:db8:1200::/56) でもありません。",
                f"ip {value!r} is not an IPv4/IPv6 address or an IPv6 prefix of /32 to /64 (e.g. 2001:db8:1200::/56).",
            ) from None
        raise RowProblem(
            "ip",
            f"ip の {value!r} は IPv4/IPv6 アドレスではありません。",
            f"ip {value!r} is not an IPv4 or IPv6 address.",
        ) from None


def _check_fields(kind: str, raw: Mapping[str, Any]) -> None:
    unknown = sorted(set(raw) - set(FIELDS[kind]))
    if unknown:
        allowed = ", ".join(FIELDS[kind])
        raise RowProblem(
            unknown[0],
            f"知らない項目 {', '.join(unknown)} があります。使える項目: {allowed}",
            f"Unknown field(s) {', '.join(unknown)}; the fields are: {allowed}.",
        )


def validate_event(raw: Mapping[str, Any]) -> dict[str, Any]:
    _check_fields("events", raw)
    kind = _text(raw, "kind", required=True)
    if kind not in EVENT_KINDS:
        raise RowProblem(
            "kind",
            f"kind は {', '.join(EVENT_KINDS)} のいずれかです ({kind!r} ではなく)。",
            f"kind must be one of {', '.join(EVENT_KINDS)}, not {kind!r}.",
        )
    post_id = _text(raw, "post_id", required=kind == "post")
    iccid = _text(raw, "iccid", limit=22)
    if iccid is not None and not (iccid.isdigit() and 18 <= len(iccid) <= 22):
        raise RowProblem("iccid", "iccid は 18-22 桁の数字です。", "iccid is 18 to 22 digits.")
    return {
        "kind": kind,
        "account_id": _text(raw, "account_id", required=True),
        "occurred_at": _time(raw, "occurred_at", required=True),
        "ip": _ip(raw, required=kind != "logout"),
        "port": _port(raw, "port"),
        "mobile_id": _text(raw, "mobile_id"),
        "iccid": iccid,
        "post_id": post_id,
    }


def validate_assignment(raw: Mapping[str, Any]) -> dict[str, Any]:
    _check_fields("assignments", raw)
    port_start = _port(raw, "port_start", 0)
    port_end = _port(raw, "port_end", PORT_MAX)
    assert port_start is not None and port_end is not None
    if port_end < port_start:
        raise RowProblem(
            "port_end",
            "port_end は port_start 以上にしてください。",
            "port_end must not be below port_start.",
        )
    start = _time(raw, "start", required=True)
    end = _time(raw, "end")
    assert start is not None
    if end is not None and end <= start:
        raise RowProblem("end", "end は start より後にしてください。", "end must be after start.")
    return {
        "subscriber_id": _text(raw, "subscriber_id", required=True),
        "ip": _ip(raw, required=True, prefix=True),
        "port_start": port_start,
        "port_end": port_end,
        "start": start,
        "end": end,
    }


def validate_holder(raw: Mapping[str, Any]) -> dict[str, Any]:
    _check_fields("holders", raw)
    email = _text(raw, "email")
    if email is not None and "@" not in email:
        raise RowProblem(
            "email", "email はメールアドレスにしてください。", "email must be an e-mail address."
        )
    phone = _text(raw, "phone", limit=40)
    if phone is not None and not all(c.isdigit() or c in "+-() " for c in phone):
        raise RowProblem("phone", "phone は数字と + - ( ) で書いてください。", "phone is digits and + - ( ).")
    return {
        "account_id": _text(raw, "account_id", required=True),
        "name": _text(raw, "name"),
        "address": _text(raw, "address", limit=ADDRESS_MAX),
        "phone": phone,
        "email": email,
        "closed_at": _time(raw, "closed_at"),
    }


VALIDATORS = {"events": validate_event, "assignments": validate_assignment, "holders": validate_holder}


@dataclass
class _Writer:
    db: Session
    kind: str
    ring: Keyring
    at: dt.datetime
    postgres: bool
    key_id: str = ""
    aead: AESGCM | None = None
    used: int = 0

    def __post_init__(self) -> None:
        self.buffer: list[tuple[Any, ...]] = []

    def add(self, row: dict[str, Any]) -> None:
        if self.aead is None or self.used >= ROWS_PER_DATA_KEY:
            self.flush()
            self.key_id, self.aead = self.ring.new_data_key(self.db, at=self.at)
            self.used = 0
        self.used += 1
        self.buffer.append(self.prepare(row))
        if len(self.buffer) >= FLUSH_ROWS:
            self.flush()

    def prepare(self, row: dict[str, Any]) -> tuple[Any, ...]:
        assert self.aead is not None
        row_id = new_id()
        ring = self.ring
        if self.kind == "events":
            secret = {
                k: row[k] for k in ("account_id", "ip", "port", "mobile_id", "iccid") if row[k] is not None
            }
            return (
                row_id,
                row["kind"],
                row["occurred_at"],
                ring.account_ix(row["account_id"]),
                ring.ip_ix(row["ip"]) if row["ip"] else None,
                row["post_id"],
                self.key_id,
                seal_with(self.aead, secret, row_id),
                self.at,
            )
        if self.kind == "assignments":
            return (
                row_id,
                ring.ip_ix(row["ip"]),
                ring.account_ix(row["subscriber_id"]),
                row["port_start"],
                row["port_end"],
                row["start"],
                row["end"],
                self.key_id,
                seal_with(self.aead, {"subscriber_id": row["subscriber_id"], "ip": row["ip"]}, row_id),
                self.at,
            )
        secret = {k: row[k] for k in ("account_id", "name", "address", "phone", "email")}
        return (
            row_id,
            ring.account_ix(row["account_id"]),
            self.key_id,
            seal_with(self.aead, secret, row_id),
            self.at,
            row["closed_at"],
        )

    def flush(self) -> None:
        if not self.buffer:
            return
        rows, self.buffer = self.buffer, []
        if self.kind == "holders":
            latest = {r[1]: r for r in rows}  # one holder per account: the last row wins
            rows = list(latest.values())
            self.db.execute(delete(HolderRow).where(HolderRow.account_ix.in_(list(latest))))
        columns = COLUMNS[self.kind]
        if self.postgres:
            copy_rows(self.db, TABLES[self.kind].name, columns, rows)
        else:
            self.db.execute(insert(TABLES[self.kind]), [dict(zip(columns, r, strict=True)) for r in rows])


def copy_rows(db: Session, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """COPY rows into a table in the session's transaction (PostgreSQL, psycopg 3, binary format: the
    sealed bytes and the times go as they are, no text escaping on either side)."""
    raw = db.connection().connection.driver_connection
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
    with raw.cursor() as cur, cur.copy(sql) as copy:  # type: ignore[union-attr]
        copy.set_types([PG_TYPES[c] for c in columns])
        for row in rows:
            copy.write_row(row)


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise DomainError(
            code="logs_bad_kind",
            field="kind",
            ja="種類は events、assignments、holders のいずれかです。",
            en="The kind is events, assignments or holders.",
        )


def write(
    db: Session,
    kind: str,
    rows: Iterable[Mapping[str, Any]] | Iterable[tuple[str, Mapping[str, Any] | RowProblem]],
    *,
    actor: Actor,
    at: dt.datetime,
    settings: Settings,
    source: str,
    numbered: bool = False,
    batch_id: str | None = None,
) -> int:
    """Validate and write rows of one kind; raise one DomainError naming every bad row (up to 20) and
    leave the caller's transaction to roll back. `numbered`: rows are (where, row-or-problem) pairs.
    `batch_id`: the sender's id for the batch; a batch already stored under it is not stored again."""
    check_kind(kind)
    if batch_id is not None:
        earlier = db.get(BatchRow, (actor.ident[:200], batch_id))
        if earlier is not None:
            if earlier.kind != kind:
                raise Conflict(
                    "logs_batch_reused",
                    ja=f"batch_id {batch_id!r} は別の種類 ({earlier.kind}) の送信に使われています。",
                    en=f"batch_id {batch_id!r} was used for a batch of another kind ({earlier.kind}).",
                    field="batch_id",
                )
            return earlier.rows
    writer = _Writer(db, kind, keyring(db, settings, at=at), at, db.get_bind().dialect.name == "postgresql")
    validate = VALIDATORS[kind]
    problems: list[FieldProblem] = []
    count = 0
    pairs = rows if numbered else ((f"rows[{i}]", r) for i, r in enumerate(rows))
    for where, raw in pairs:  # type: ignore[misc]
        try:
            if isinstance(raw, RowProblem):
                raise raw
            if not isinstance(raw, Mapping):
                raise RowProblem(
                    "", "行は JSON オブジェクトにしてください。", "Each row must be a JSON object."
                )
            row = validate(raw)
        except RowProblem as problem:
            problems.append(FieldProblem(f"{where} {problem.field}".strip(), problem.ja, problem.en))
            if len(problems) >= MAX_PROBLEMS:
                break
            continue
        count += 1
        if not problems:
            writer.add(row)
    if problems:
        first = problems[0]
        raise DomainError(
            code="logs_bad_rows",
            field=first.field,
            ja=f"{first.field}: {first.ja} (問題のある行 {len(problems)} 件{'以上' if len(problems) >= MAX_PROBLEMS else ''}。何も書き込んでいません)",
            en=f"{first.field}: {first.en} ({len(problems)}{'+' if len(problems) >= MAX_PROBLEMS else ''} bad row(s); nothing was written)",
            problems=problems,
        )
    writer.flush()
    if batch_id is not None:
        db.add(BatchRow(source=actor.ident[:200], batch_id=batch_id, kind=kind, rows=count, received_at=at))
    record(
        db,
        at=at,
        actor=actor,
        action="logs.ingested",
        subject_type="logs",
        subject_id=kind,
        rows=count,
        source=source[:200],
    )
    return count


NumberedRows = Iterator[tuple[str, Mapping[str, Any] | RowProblem]]


def read_file(path: Path, fmt: str | None = None) -> NumberedRows:
    """The rows of a JSON-lines or CSV file, one at a time, each with its file:line."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    with path.open(encoding="utf-8", newline="") as handle:
        yield from read_text(handle, path.name, fmt)


def read_text(handle: io.TextIOBase, name: str, fmt: str) -> NumberedRows:
    """The rows of an open JSON-lines or CSV text stream (`name`: the file's name, for file:line)."""
    return _csv_rows(handle, name) if fmt == "csv" else _jsonl_rows(handle, name)


def _jsonl_rows(handle: io.TextIOBase, name: str) -> Iterator[tuple[str, Mapping[str, Any] | RowProblem]]:
    for number, line in enumerate(handle, 1):  # type: ignore[arg-type]
        where = f"{name}:{number}"
        if len(line) > MAX_LINE:
            yield where, RowProblem("", "行が長すぎます (64 KiB まで)。", "Line too long (at most 64 KiB).")
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield where, RowProblem("", f"JSON として読めません: {exc.msg}", f"Not valid JSON: {exc.msg}")
            continue
        if not isinstance(value, dict):
            yield (
                where,
                RowProblem("", "行は JSON オブジェクトにしてください。", "Each line must be a JSON object."),
            )
            continue
        yield where, value


def _csv_rows(handle: io.TextIOBase, name: str) -> Iterator[tuple[str, Mapping[str, Any] | RowProblem]]:
    reader = csv.DictReader(handle)  # type: ignore[arg-type]
    for raw in reader:
        where = f"{name}:{reader.line_num}"
        if None in raw:
            yield (
                where,
                RowProblem("", "見出しより列が多い行です。", "The row has more columns than the header."),
            )
            continue
        yield where, {k: (v if v != "" else None) for k, v in raw.items() if k is not None}
