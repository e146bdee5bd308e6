"""logs: the use cases of the content provider's and the access provider's log keeping.

Every read of poster data is for the legal officer (permission disclosure.read) or the system, and is
audited as a read of personal data. Holds need logs.manage or disclosure.manage. Services never commit.

Every function takes `settings` (the keys, the clock tolerance, the retention periods); when it is
omitted the settings are read from the environment at the call (never at import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor, record
from mamori.core.config import Settings
from mamori.core.db import new_id
from mamori.core.errors import DomainError, Forbidden, NotFound
from mamori.logs import ingest
from mamori.logs.keys import keyring, open_with, seal_with
from mamori.logs.model import (
    HOLD_BASES,
    RETENTION_KINDS,
    AccountHolder,
    Assignment,
    Hold,
    LogEvent,
    Lookup,
    hold_is_active,
    lookup_keys,
    normalise_assigned,
    normalise_ip,
)
from mamori.logs.model import who_held as who_held_rule
from mamori.logs.store import AssignmentRow, DataKeyRow, EventRow, HolderRow, HoldRow, RetentionRow

MAX_RANGE = dt.timedelta(days=3660)

__all__ = [
    "account_holder",
    "events_of_account",
    "holds",
    "import_file",
    "ingest_assignments",
    "ingest_events",
    "ingest_holders",
    "keys_not_rewrapped",
    "may_ingest",
    "place_hold",
    "post_event",
    "purge",
    "release_hold",
    "retention_days",
    "rotate_keys",
    "set_retention",
    "who_held",
]


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else Settings()


def _may_read(actor: Actor) -> None:
    if not actor.may("disclosure.read"):
        raise Forbidden(
            ja="発信者情報の記録を読めるのは法務担当者だけです。",
            en="Only a legal officer may read the poster and access logs.",
        )


def _may_manage_holds(actor: Actor) -> None:
    if not (actor.may("logs.manage") or actor.may("disclosure.manage")):
        raise Forbidden(
            ja="記録の保全 (ホールド) を扱えるのは法務担当者だけです。",
            en="Only a legal officer may place or release a hold on the logs.",
        )


def may_ingest(actor: Actor) -> None:
    """Only the log source and a legal officer (logs.ingest) send logs, or follow an import of theirs."""
    if not actor.may("logs.ingest"):
        raise Forbidden(
            ja="記録を送れるのはログ送信元と法務担当者だけです。",
            en="Only the log source and a legal officer may send logs.",
        )


def _aware(value: dt.datetime | None, field: str) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise DomainError(
            code="logs_naive_time",
            field=field,
            ja="時刻にはタイムゾーン (例: +09:00) を付けてください。",
            en="Give the time with its offset (e.g. +09:00).",
        )
    return value


def _ip_or_error(value: str, field: str = "ip", *, prefix: bool = False) -> str:
    try:
        return normalise_assigned(value) if prefix else normalise_ip(value)
    except ValueError:
        raise DomainError(
            code="logs_bad_ip",
            field=field,
            ja=f"{value[:60]!r} は IP アドレスではありません。",
            en=f"{value[:60]!r} is not an IP address.",
        ) from None


# --- holds -------------------------------------------------------------------------------------------


def place_hold(
    db: Session,
    *,
    actor: Actor,
    at: dt.datetime,
    basis: str,
    reference: str,
    account_id: str | None = None,
    ip: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    until: dt.datetime | None = None,
    settings: Settings | None = None,
) -> str:
    """Hold the records of `account_id` and/or `ip` that occurred in [start, end) against the purge
    until `until` (None: until released). `basis`: erasure_order (消去禁止命令, Art. 16),
    disclosure_request, legal_officer; `reference`: the case number or request id. Returns the hold id."""
    _may_manage_holds(actor)
    settings = _settings(settings)
    if basis not in HOLD_BASES:
        raise DomainError(
            code="logs_bad_basis",
            field="basis",
            ja="根拠は erasure_order (消去禁止命令)、disclosure_request、legal_officer のいずれかです。",
            en="The basis is one of erasure_order, disclosure_request, legal_officer.",
        )
    reference = reference.strip()
    if not reference or len(reference) > 200:
        raise DomainError(
            code="logs_bad_reference",
            field="reference",
            ja="根拠の参照 (事件番号や請求番号) を 200 文字以内で入力してください。",
            en="Give the reference (case or request number), at most 200 characters.",
        )
    account_id = (account_id or "").strip() or None
    if account_id is not None and len(account_id) > 200:
        raise DomainError(
            code="logs_bad_account",
            field="account_id",
            ja="アカウント ID が長すぎます。",
            en="Account id too long.",
        )
    ip_norm = _ip_or_error(ip, prefix=True) if ip else None
    if account_id is None and ip_norm is None:
        raise DomainError(
            code="logs_hold_scope",
            field="account_id",
            ja="保全の範囲として、アカウント ID か IP アドレスの少なくとも一方を指定してください。",
            en="Give the scope of the hold: an account id, an IP address, or both.",
        )
    for name, value in (("start", start), ("end", end), ("until", until)):
        _aware(value, name)
    if start is not None and end is not None and end <= start:
        raise DomainError(
            code="logs_bad_range",
            field="end",
            ja="終了時刻は開始時刻より後にしてください。",
            en="The end must be after the start.",
        )
    ring = keyring(db, settings, at=at)
    key_id, aead = ring.new_data_key(db, at=at)
    hold_id = new_id()
    db.add(
        HoldRow(
            id=hold_id,
            basis=basis,
            reference=reference,
            account_ix=ring.account_ix(account_id) if account_id else None,
            ip_ix=ring.ip_ix(ip_norm) if ip_norm else None,
            key_id=key_id,
            sealed=seal_with(aead, {"account_id": account_id, "ip": ip_norm}, hold_id),
            start=start,
            end=end,
            until=until,
            placed_at=at,
            placed_by=actor.ident,
        )
    )
    record(
        db,
        at=at,
        actor=actor,
        action="logs.hold_placed",
        subject_type="logs_hold",
        subject_id=hold_id,
        basis=basis,
        reference=reference,
    )
    db.flush()
    return hold_id


def release_hold(
    db: Session,
    *,
    hold_id: str,
    actor: Actor,
    at: dt.datetime,
    reason: str,
    settings: Settings | None = None,
) -> None:
    """End a hold (the case ended, the order was lifted): its records follow retention again."""
    _may_manage_holds(actor)
    row = db.get(HoldRow, hold_id)
    if row is None:
        raise NotFound("hold", hold_id)
    reason = reason.strip()
    if not reason or len(reason) > 2000:
        raise DomainError(
            code="logs_release_reason",
            field="reason",
            ja="保全を解除する理由を 2000 文字以内で書いてください。",
            en="Say why the hold ends (at most 2000 characters).",
        )
    if row.released_at is not None:
        raise DomainError(
            code="logs_hold_released",
            field="hold_id",
            ja="この保全はすでに解除されています。",
            en="This hold was already released.",
            status=409,
        )
    row.released_at, row.released_by, row.release_reason = at, actor.ident, reason
    record(
        db,
        at=at,
        actor=actor,
        action="logs.hold_released",
        subject_type="logs_hold",
        subject_id=hold_id,
        reason=reason,
    )
    db.flush()


def holds(
    db: Session,
    *,
    actor: Actor,
    at: dt.datetime,
    active_only: bool = True,
    settings: Settings | None = None,
) -> list[Hold]:
    """The holds (their scope decrypted), newest first; audited as a read of personal data."""
    _may_manage_holds(actor)
    _may_read(actor)
    ring = keyring(db, _settings(settings), at=at)
    stmt = select(HoldRow).order_by(HoldRow.placed_at.desc(), HoldRow.id)
    if active_only:
        stmt = stmt.where(HoldRow.released_at.is_(None), or_(HoldRow.until.is_(None), HoldRow.until > at))
    result = []
    for row in db.scalars(stmt):
        scope = open_with(ring.data_key(db, row.key_id), row.sealed, row.id)
        result.append(
            Hold(
                id=row.id,
                basis=row.basis,
                reference=row.reference,
                account_id=scope.get("account_id"),
                ip=scope.get("ip"),
                start=row.start,
                end=row.end,
                until=row.until,
                placed_at=row.placed_at,
                placed_by=row.placed_by,
                released_at=row.released_at,
                released_by=row.released_by,
                release_reason=row.release_reason,
                active=hold_is_active(row.released_at, row.until, at),
            )
        )
    record(
        db,
        at=at,
        actor=actor,
        action="logs.holds_read",
        subject_type="logs_hold",
        subject_id="*",
        personal_data=True,
        count=len(result),
    )
    return result


# --- reads of poster data ----------------------------------------------------------------------------


def _event(ring: Any, db: Session, row: EventRow) -> LogEvent:
    data = open_with(ring.data_key(db, row.key_id), row.sealed, row.id)
    return LogEvent(
        id=row.id,
        kind=row.kind,
        occurred_at=row.occurred_at,
        account_id=data["account_id"],
        ip=data.get("ip"),
        port=data.get("port"),
        mobile_id=data.get("mobile_id"),
        iccid=data.get("iccid"),
        post_id=row.post_id,
    )


def events_of_account(
    db: Session,
    *,
    account_id: str,
    start: dt.datetime,
    end: dt.datetime,
    actor: Actor,
    at: dt.datetime,
    settings: Settings | None = None,
) -> list[LogEvent]:
    """Every event of the account with start <= occurred_at < end, oldest first, decrypted."""
    _may_read(actor)
    _aware(start, "start")
    _aware(end, "end")
    if end <= start or end - start > MAX_RANGE:
        raise DomainError(
            code="logs_bad_range",
            field="end",
            ja="期間は開始より後で、10 年以内にしてください。",
            en="The end must be after the start, within 10 years.",
        )
    ring = keyring(db, _settings(settings), at=at)
    rows = db.scalars(
        select(EventRow)
        .where(
            EventRow.account_ix == ring.account_ix(account_id),
            EventRow.occurred_at >= start,
            EventRow.occurred_at < end,
        )
        .order_by(EventRow.occurred_at, EventRow.id)
    )
    events = [_event(ring, db, row) for row in rows]
    record(
        db,
        at=at,
        actor=actor,
        action="logs.events_read",
        subject_type="logs_account",
        subject_id=ring.account_ix(account_id),
        personal_data=True,
        start=start.isoformat(),
        end=end.isoformat(),
        count=len(events),
    )
    return events


def post_event(
    db: Session, *, post_id: str, actor: Actor, at: dt.datetime, settings: Settings | None = None
) -> LogEvent | None:
    """The event that created the post (its ip, port, time, account), or None if none was logged."""
    _may_read(actor)
    ring = keyring(db, _settings(settings), at=at)
    row = db.scalars(
        select(EventRow)
        .where(EventRow.post_id == post_id, EventRow.kind == "post")
        .order_by(EventRow.occurred_at, EventRow.id)
        .limit(1)
    ).first()
    event = _event(ring, db, row) if row is not None else None
    record(
        db,
        at=at,
        actor=actor,
        action="logs.post_event_read",
        subject_type="logs_post",
        subject_id=post_id[:64],
        personal_data=True,
        found=event is not None,
    )
    return event


def account_holder(
    db: Session, *, account_id: str, actor: Actor, at: dt.datetime, settings: Settings | None = None
) -> AccountHolder | None:
    """The holder's registered name, address, phone and email, or None if none was sent."""
    _may_read(actor)
    ring = keyring(db, _settings(settings), at=at)
    account_ix = ring.account_ix(account_id)
    row = db.scalar(select(HolderRow).where(HolderRow.account_ix == account_ix))
    holder = None
    if row is not None:
        data = open_with(ring.data_key(db, row.key_id), row.sealed, row.id)
        holder = AccountHolder(
            account_id=data["account_id"],
            name=data.get("name"),
            address=data.get("address"),
            phone=data.get("phone"),
            email=data.get("email"),
            updated_at=row.updated_at,
        )
    record(
        db,
        at=at,
        actor=actor,
        action="logs.holder_read",
        subject_type="logs_account",
        subject_id=account_ix,
        personal_data=True,
        found=holder is not None,
    )
    return holder


def who_held(
    db: Session,
    *,
    ip: str,
    port: int | None,
    when: dt.datetime,
    actor: Actor,
    at: dt.datetime,
    settings: Settings | None = None,
) -> Lookup:
    """The access provider's answer to "who held `ip` (and `port`) at `when`" (rule: logs.model.who_held;
    tolerance MAMORI_LOGS_LOOKUP_SKEW_SECONDS)."""
    _may_read(actor)
    settings = _settings(settings)
    _aware(when, "at")
    ip_norm = _ip_or_error(ip)
    if port is not None and not 0 <= port <= 65535:
        raise DomainError(
            code="logs_bad_port",
            field="port",
            ja="ポート番号は 0 から 65535 です。",
            en="A port is 0 to 65535.",
        )
    skew = dt.timedelta(seconds=settings.logs_lookup_skew_seconds)
    ring = keyring(db, settings, at=at)
    ip_ix = ring.ip_ix(ip_norm)
    rows = db.scalars(
        select(AssignmentRow).where(
            AssignmentRow.ip_ix.in_([ring.ip_ix(key) for key in lookup_keys(ip_norm)]),
            AssignmentRow.start <= when + skew,
            or_(AssignmentRow.end.is_(None), AssignmentRow.end > when - skew),
        )
    )
    assignments = []
    for row in rows:
        data = open_with(ring.data_key(db, row.key_id), row.sealed, row.id)
        assignments.append(
            Assignment(
                subscriber_id=data["subscriber_id"],
                ip=data["ip"],
                port_start=row.port_start,
                port_end=row.port_end,
                start=row.start,
                end=row.end,
            )
        )
    answer = who_held_rule(assignments, port=port, when=when, skew=skew)
    record(
        db,
        at=at,
        actor=actor,
        action="logs.lookup",
        subject_type="logs_ip",
        subject_id=ip_ix,
        personal_data=True,
        status=answer.status,
        when=when.isoformat(),
        port=port,
    )
    return answer


# --- ingestion ---------------------------------------------------------------------------------------


def ingest_events(
    db: Session,
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Actor,
    at: dt.datetime,
    settings: Settings | None = None,
    source: str = "api",
    batch_id: str | None = None,
) -> int:
    """Store account/post events (validated row by row; one bad row: nothing is written). `batch_id`:
    the sender's id for this batch; a retry with the same id is answered with the earlier count."""
    may_ingest(actor)
    return ingest.write(
        db, "events", rows, actor=actor, at=at, settings=_settings(settings), source=source, batch_id=batch_id
    )


def ingest_assignments(
    db: Session,
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Actor,
    at: dt.datetime,
    settings: Settings | None = None,
    source: str = "api",
    batch_id: str | None = None,
) -> int:
    """Store IP assignment records (one bad row: nothing is written)."""
    may_ingest(actor)
    return ingest.write(
        db,
        "assignments",
        rows,
        actor=actor,
        at=at,
        settings=_settings(settings),
        source=source,
        batch_id=batch_id,
    )


def ingest_holders(
    db: Session,
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Actor,
    at: dt.datetime,
    settings: Settings | None = None,
    source: str = "api",
    batch_id: str | None = None,
) -> int:
    """Store (replace) account holders' details (one bad row: nothing is written)."""
    may_ingest(actor)
    return ingest.write(
        db,
        "holders",
        rows,
        actor=actor,
        at=at,
        settings=_settings(settings),
        source=source,
        batch_id=batch_id,
    )


def import_file(
    db: Session,
    *,
    path: Path,
    kind: str,
    actor: Actor,
    at: dt.datetime,
    fmt: str | None = None,
    settings: Settings | None = None,
) -> int:
    """Import a JSON-lines or CSV file of one kind, streamed row by row (PostgreSQL: COPY). A bad row
    is named as file:line with the field and what to fix, and nothing of the file is written."""
    may_ingest(actor)
    return ingest.write(
        db,
        kind,
        ingest.read_file(path, fmt),
        actor=actor,
        at=at,
        settings=_settings(settings),
        source=f"import:{path.name}",
        numbered=True,
    )


# --- retention and the purge -------------------------------------------------------------------------


def retention_days(db: Session, *, settings: Settings | None = None) -> dict[str, int]:
    """The retention period of each kind of log: a legal officer's choice, else the setting."""
    settings = _settings(settings)
    days = {
        "events": settings.logs_retention_events_days,
        "holders": settings.logs_retention_holders_days,
        "assignments": settings.logs_retention_assignments_days,
    }
    for row in db.scalars(select(RetentionRow)):
        days[row.kind] = row.days
    return days


def set_retention(db: Session, *, kind: str, days: int, actor: Actor, at: dt.datetime) -> None:
    """Set the retention period of one kind of log (events, holders, assignments)."""
    if not actor.may("logs.manage"):
        raise Forbidden(
            ja="保存期間を変えられるのは法務担当者だけです。", en="Only a legal officer may set retention."
        )
    if kind not in RETENTION_KINDS:
        raise DomainError(
            code="logs_bad_kind",
            field="kind",
            ja="種類は events、holders、assignments のいずれかです。",
            en="The kind is events, holders or assignments.",
        )
    if not 1 <= days <= 36600:
        raise DomainError(
            code="logs_bad_days",
            field="days",
            ja="保存期間は 1 日から 36600 日です。",
            en="Retention is 1 to 36600 days.",
        )
    row = db.get(RetentionRow, kind)
    if row is None:
        db.add(RetentionRow(kind=kind, days=days, updated_at=at, updated_by=actor.ident))
    else:
        row.days, row.updated_at, row.updated_by = days, at, actor.ident
    record(
        db,
        at=at,
        actor=actor,
        action="logs.retention_set",
        subject_type="logs_retention",
        subject_id=kind,
        days=days,
    )
    db.flush()


def _deleted(db: Session, stmt: Any) -> int:
    return int(
        cast(CursorResult[Any], db.execute(stmt.execution_options(synchronize_session=False))).rowcount
    )


def _active_hold(at: dt.datetime) -> Any:
    return and_(HoldRow.released_at.is_(None), or_(HoldRow.until.is_(None), HoldRow.until > at))


def purge(
    db: Session, *, at: dt.datetime, settings: Settings | None = None, actor: Actor | None = None
) -> dict[str, int]:
    """Delete what is past its retention period, except what an active hold covers (by account and/or
    address and the hold's time range). Returns the number of rows deleted per kind."""
    actor = actor or Actor.system()
    if not actor.may("logs.manage"):
        raise Forbidden(ja="記録の削除は法務担当者だけです。", en="Only a legal officer may purge the logs.")
    days = retention_days(db, settings=settings)
    held_event = exists().where(
        _active_hold(at),
        or_(HoldRow.account_ix.is_(None), HoldRow.account_ix == EventRow.account_ix),
        or_(HoldRow.ip_ix.is_(None), HoldRow.ip_ix == EventRow.ip_ix),
        or_(HoldRow.start.is_(None), EventRow.occurred_at >= HoldRow.start),
        or_(HoldRow.end.is_(None), EventRow.occurred_at < HoldRow.end),
    )
    events = _deleted(
        db,
        delete(EventRow).where(EventRow.occurred_at < at - dt.timedelta(days=days["events"]), ~held_event),
    )
    held_holder = exists().where(_active_hold(at), HoldRow.account_ix == HolderRow.account_ix)
    holders = _deleted(
        db,
        delete(HolderRow).where(
            HolderRow.closed_at.is_not(None),
            HolderRow.closed_at < at - dt.timedelta(days=days["holders"]),
            ~held_holder,
        ),
    )
    held_assignment = exists().where(
        _active_hold(at),
        or_(HoldRow.account_ix.is_(None), HoldRow.account_ix == AssignmentRow.subscriber_ix),
        or_(HoldRow.ip_ix.is_(None), HoldRow.ip_ix == AssignmentRow.ip_ix),
        or_(HoldRow.start.is_(None), AssignmentRow.end.is_(None), AssignmentRow.end > HoldRow.start),
        or_(HoldRow.end.is_(None), AssignmentRow.start < HoldRow.end),
    )
    assignments = _deleted(
        db,
        delete(AssignmentRow).where(
            AssignmentRow.end.is_not(None),
            AssignmentRow.end < at - dt.timedelta(days=days["assignments"]),
            ~held_assignment,
        ),
    )
    counts = {"events": events, "holders": holders, "assignments": assignments}
    record(
        db,
        at=at,
        actor=actor,
        action="logs.purged",
        subject_type="logs",
        subject_id="purge",
        deleted=counts,
    )
    return counts


# --- keys ----------------------------------------------------------------------------------------------


def rotate_keys(db: Session, *, at: dt.datetime, settings: Settings | None = None, limit: int = 1000) -> int:
    """Re-wrap up to `limit` stored keys under the newest KEK (the rows themselves are untouched, so
    they stay readable throughout). Returns how many were re-wrapped; call again until 0."""
    settings = _settings(settings)
    ring = keyring(db, settings, at=at)
    rows = db.scalars(select(DataKeyRow).where(DataKeyRow.kek_id != ring.newest).limit(limit))
    count = sum(1 for row in rows if ring.rewrap(row))
    if count:
        record(
            db,
            at=at,
            actor=Actor.system(),
            action="logs.keys_rewrapped",
            subject_type="logs",
            subject_id="keys",
            count=count,
            kek=ring.newest,
        )
    db.flush()
    return count


def keys_not_rewrapped(db: Session, *, at: dt.datetime, settings: Settings | None = None) -> int:
    """How many stored keys are still wrapped by an older key-encryption key."""
    ring = keyring(db, _settings(settings), at=at)
    return int(
        db.scalar(select(func.count()).select_from(DataKeyRow).where(DataKeyRow.kek_id != ring.newest)) or 0
    )
