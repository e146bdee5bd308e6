"""Use cases of the counsellors' records: record, list, read (audited), follow up, refer, share, erase.

Personal content (summary, advice, contact, follow-up notes) is sealed with the consultation's own key;
that key is wrapped for the counsellor who recorded it, for every supervisor, and for anyone it is
shared with. Who may see or change a record is decided in one place, `authorize_record`, which every
use case on a record calls first: the pages, the API, the drafting sources and the CLI get the same
answer. Services never commit; the caller's transaction does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consult import keys, store
from mamori.consult.catalogue import consult_map
from mamori.consult.model import (
    Category,
    ConsultationContent,
    Contact,
    FollowUp,
    Outcome,
    retention_ends,
)
from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.auth import Principal, UserRow
from mamori.core.errors import DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters

CHANNELS = ("phone", "web", "mail", "visit", "chat")


@dataclass(frozen=True)
class NewConsultation:
    channel: str
    categories: Sequence[str]
    service: str
    summary: str
    advice: str = ""
    contact: Contact = dataclasses.field(default_factory=Contact)
    contact_consent: bool = False


@dataclass(frozen=True)
class ConsultationView:
    """A record as a reader with a key sees it (content is None once erased)."""

    row: store.ConsultationRow
    content: ConsultationContent | None


def _audit(
    action: str, row: store.ConsultationRow, *, by: Actor | str, db: Session, at: dt.datetime, **detail: Any
) -> None:
    audit.record(
        db,
        at=at,
        actor=by,
        action=f"consult.{action}",
        subject_type="consultation",
        subject_id=row.id,
        **detail,
    )


def _invalid(field: str, ja: str, en: str) -> DomainError:
    return DomainError(code="invalid_consultation", field=field, ja=ja, en=en)


def _check(new: NewConsultation) -> None:
    if new.channel not in CHANNELS:
        raise _invalid(
            "channel", f"相談経路は {CHANNELS} から選んでください。", f"Channel must be one of {CHANNELS}."
        )
    known = {c.value for c in Category}
    if not new.categories or any(c not in known for c in new.categories):
        raise _invalid(
            "categories", "相談の種類を1つ以上選んでください。", "Choose at least one known category."
        )
    if new.service != "other" and new.service not in consult_map().services:
        raise _invalid("service", "サービスが正しくありません。", f"Unknown service {new.service!r}.")
    if not new.summary.strip():
        raise _invalid("summary", "相談の内容を書いてください。", "Write what the consultation was about.")
    for name in ("name", "phone", "email"):
        refuse_control_characters(getattr(new.contact, name), field=f"contact.{name}", single_line=True)
    refuse_control_characters(new.summary, field="summary", single_line=False)
    refuse_control_characters(new.advice, field="advice", single_line=False)
    if not new.contact.anonymous and not new.contact_consent:
        raise _invalid(
            "contact_consent",
            "連絡先は、相談者の同意がある場合だけ記録できます。",
            "Contact details may be recorded only with the person's consent.",
        )


def _content_bytes(content: ConsultationContent) -> bytes:
    return json.dumps(dataclasses.asdict(content), ensure_ascii=False, default=str).encode()


def _content_from(raw: bytes) -> ConsultationContent:
    data = json.loads(raw)
    return ConsultationContent(
        summary=data["summary"],
        advice=data["advice"],
        contact=Contact(**data["contact"]),
        follow_ups=tuple(
            FollowUp(dt.datetime.fromisoformat(f["at"]), f["by"], f["note"]) for f in data["follow_ups"]
        ),
    )


def staff_public_key(user_id: str, *, db: Session, at: dt.datetime, secret_key: str) -> bytes:
    """The user's public key, creating their key pair on first use."""
    row = db.get(store.StaffKeyRow, user_id)
    if row is None:
        public, sealed_private = keys.new_user_key_pair(user_id, secret_key)
        row = store.StaffKeyRow(
            user_id=user_id, public_key=public, sealed_private_key=sealed_private, created_at=at
        )
        db.add(row)
        db.flush()
    return row.public_key


def _supervisors(db: Session) -> list[str]:
    users = db.scalars(select(UserRow).where(UserRow.active.is_(True)))
    return [u.id for u in users if "supervisor" in u.role_set]


def _grant(
    row: store.ConsultationRow,
    record_key: bytes,
    user_id: str,
    *,
    by: str,
    db: Session,
    at: dt.datetime,
    secret_key: str,
) -> None:
    if store.record_key_for(db, row.id, user_id) is not None:
        return
    public = staff_public_key(user_id, db=db, at=at, secret_key=secret_key)
    db.add(
        store.RecordKeyRow(
            record_id=row.id,
            user_id=user_id,
            wrapped_key=keys.wrap_record_key(record_key, public, row.id),
            granted_at=at,
            granted_by=by,
        )
    )


def record_consultation(
    new: NewConsultation, *, by: Principal, db: Session, at: dt.datetime, secret_key: str
) -> store.ConsultationRow:
    """Record a consultation; its content is sealed and readable by its author and the supervisors."""
    _check(new)
    row = store.ConsultationRow(
        opened_at=at,
        opened_by=by.actor.ident,
        channel=new.channel,
        categories=",".join(dict.fromkeys(new.categories)),
        service=new.service,
        outcome=Outcome.OPEN.value,
        anonymous=new.contact.anonymous,
        contact_consent=new.contact_consent,
        updated_at=at,
    )
    db.add(row)
    db.flush()
    record_key = keys.new_record_key()
    content = ConsultationContent(new.summary, new.advice, new.contact)
    row.sealed_content = keys.seal(record_key, _content_bytes(content), row.id.encode())
    for reader in dict.fromkeys([by.user_id, *_supervisors(db)]):
        _grant(row, record_key, reader, by=by.actor.ident, db=db, at=at, secret_key=secret_key)
    _audit("record", row, by=by.actor, db=db, at=at, personal_data=not new.contact.anonymous)
    return row


def _shared_with(row: store.ConsultationRow, principal: Principal, db: Session) -> bool:
    if row.opened_by == principal.actor.ident:
        return True
    if store.record_key_for(db, row.id, principal.user_id) is not None:
        return True
    # Erasure drops every wrapped key; the counted columns stay for whoever answers for erasures.
    return row.erased_at is not None and principal.may("consult.manage")


def authorize_record(
    principal: Principal, consultation_id: str, *, db: Session, change: bool = False
) -> None:
    """The one rule for object-level access to a consultation record; every read and change calls it.

    A record is shared with its author, with everyone its key is wrapped for (the supervisors at the
    time it was recorded, and whoever it was shared with), and, once erased, with the holders of
    `consult.manage` (the keys are gone; only the counted columns remain). Anything else answers
    NotFound, exactly as a missing id does, so ids cannot be probed. With `change=True` the principal
    must also hold `consult.record` (an auditor with `consult.read` changes nothing): Forbidden.
    """
    row = db.get(store.ConsultationRow, consultation_id)
    if row is None or not _shared_with(row, principal, db):
        raise NotFound("consultation", consultation_id)
    if change and not principal.may("consult.record"):
        raise Forbidden(
            ja="相談記録を変更する権限がありません。", en="You may not change consultation records."
        )


def _authorized(record_id: str, by: Principal, *, db: Session, change: bool = False) -> store.ConsultationRow:
    authorize_record(by, record_id, db=db, change=change)
    row = db.get(store.ConsultationRow, record_id)
    assert row is not None  # authorize_record answered NotFound otherwise
    return row


def list_consultations(*, by: Principal, db: Session, limit: int = 200) -> list[store.ConsultationRow]:
    """The records shared with `by`, newest first: the rule of `authorize_record`, as one query.

    Supervisors see every record made while they were supervisors (their key is wrapped for each);
    nobody sees a record merely by holding `consult.read` (an auditor sees none until one is shared).
    """
    return store.records_shared_with(
        db,
        user_id=by.user_id,
        author=by.actor.ident,
        with_erased=by.may("consult.manage"),
        limit=limit,
    )


def share_candidates(record_id: str, *, by: Principal, db: Session) -> list[UserRow]:
    """The active counsellors and supervisors a reader of the record could still share it with."""
    authorize_record(by, record_id, db=db)
    readers = set(store.readers_of(db, record_id))
    users = db.scalars(select(UserRow).where(UserRow.active.is_(True)).order_by(UserRow.display_name))
    return [u for u in users if {"counsellor", "supervisor"} & u.role_set and u.id not in readers]


def _record_key(row: store.ConsultationRow, reader: Principal, *, db: Session, secret_key: str) -> bytes:
    wrap = store.record_key_for(db, row.id, reader.user_id)
    staff_key = db.get(store.StaffKeyRow, reader.user_id)
    if wrap is None or staff_key is None:
        raise Forbidden(
            ja="この相談記録は共有されていません。", en="This consultation has not been shared with you."
        )
    private = keys.open_private_key(staff_key.sealed_private_key, reader.user_id, secret_key)
    return keys.unwrap_record_key(wrap.wrapped_key, private, row.id)


def read_consultation(
    record_id: str, *, by: Principal, db: Session, at: dt.datetime, secret_key: str
) -> ConsultationView:
    """Open a record for a reader it is shared with; every read of the content is audited."""
    row = _authorized(record_id, by, db=db)
    if row.sealed_content is None:
        return ConsultationView(row, None)
    record_key = _record_key(row, by, db=db, secret_key=secret_key)
    content = _content_from(keys.unseal(record_key, row.sealed_content, row.id.encode()))
    _audit("read", row, by=by.actor, db=db, at=at, personal_data=True)
    return ConsultationView(row, content)


def add_follow_up(
    record_id: str, note: str, *, by: Principal, db: Session, at: dt.datetime, secret_key: str
) -> store.ConsultationRow:
    """Append a follow-up note (sealed like the rest of the content)."""
    row = _authorized(record_id, by, db=db, change=True)
    if row.sealed_content is None:
        raise _invalid(
            "record", "この記録の個人データは消去済みです。", "This record's personal data was erased."
        )
    if not note.strip():
        raise _invalid("note", "内容を書いてください。", "Write the follow-up.")
    refuse_control_characters(note, field="note", single_line=False)
    record_key = _record_key(row, by, db=db, secret_key=secret_key)
    content = _content_from(keys.unseal(record_key, row.sealed_content, row.id.encode()))
    content = dataclasses.replace(
        content, follow_ups=(*content.follow_ups, FollowUp(at, by.actor.ident, note))
    )
    row.sealed_content = keys.seal(record_key, _content_bytes(content), row.id.encode())
    row.follow_up_count += 1
    row.updated_at = at
    _audit("follow_up", row, by=by.actor, db=db, at=at)
    return row


def set_outcome(
    record_id: str, outcome: str, *, by: Principal, db: Session, at: dt.datetime
) -> store.ConsultationRow:
    """Record how the consultation ended (or that it is still open)."""
    row = _authorized(record_id, by, db=db, change=True)
    if outcome not in {o.value for o in Outcome}:
        raise _invalid("outcome", "結果が正しくありません。", f"Unknown outcome {outcome!r}.")
    row.outcome, row.updated_at = outcome, at
    _audit("outcome", row, by=by.actor, db=db, at=at, outcome=outcome)
    return row


def refer(
    record_id: str, body_id: str, *, consent: bool, by: Principal, db: Session, at: dt.datetime
) -> store.ConsultationRow:
    """Refer the person to another body — only with their consent, which is recorded."""
    row = _authorized(record_id, by, db=db, change=True)
    if not consent:
        raise _invalid(
            "consent",
            "他機関への紹介には、相談者の同意が必要です。",
            "A referral needs the person's consent; record it first.",
        )
    if body_id not in consult_map().bodies:
        raise _invalid("body", "紹介先が正しくありません。", f"Unknown body {body_id!r}.")
    row.referral_body, row.referral_consent_at, row.referral_by = body_id, at, by.actor.ident
    if row.outcome == Outcome.OPEN.value:
        row.outcome = Outcome.REFERRED.value
    row.updated_at = at
    _audit("refer", row, by=by.actor, db=db, at=at, body=body_id, consent=True)
    return row


def share(
    record_id: str, with_user_id: str, *, by: Principal, db: Session, at: dt.datetime, secret_key: str
) -> None:
    """Let another staff member read the record: wraps its key for them (the sharer must be a reader)."""
    row = _authorized(record_id, by, db=db, change=True)
    user = db.get(UserRow, with_user_id)
    if user is None or not user.active or not {"counsellor", "supervisor"} & user.role_set:
        raise _invalid(
            "user", "共有先は相談員か監督者にしてください。", "Share only with a counsellor or supervisor."
        )
    if row.sealed_content is None:
        return
    record_key = _record_key(row, by, db=db, secret_key=secret_key)
    _grant(row, record_key, with_user_id, by=by.actor.ident, db=db, at=at, secret_key=secret_key)
    _audit("share", row, by=by.actor, db=db, at=at, with_user=with_user_id)


def _erase(row: store.ConsultationRow, reason: str, *, db: Session, at: dt.datetime) -> None:
    row.sealed_content = None
    row.erased_at, row.erase_reason, row.updated_at = at, reason, at
    store.drop_record_keys(db, row.id)


def honour_deletion_request(
    record_id: str, *, by: Principal, db: Session, at: dt.datetime
) -> store.ConsultationRow:
    """The person asked for their data to be deleted: erase the content now, keep the counts, record it.

    Only a reader of the record who holds `consult.manage` (a supervisor) does this."""
    row = _authorized(record_id, by, db=db, change=True)
    if not by.may("consult.manage"):
        raise Forbidden(
            ja="削除の求めに応じて消去できるのは監督者だけです。",
            en="Only a supervisor erases a record on the person's request.",
        )
    _erase(row, "request", db=db, at=at)
    _audit("deletion_request", row, by=by.actor, db=db, at=at, personal_data=True)
    return row


def erase_expired(*, db: Session, at: dt.datetime, retention_days: int) -> int:
    """Erase the personal data of every record older than the retention period; returns how many."""
    rows = store.records_opened_before(db, at - dt.timedelta(days=retention_days))
    for row in rows:
        assert retention_ends(row.opened_at, retention_days) <= at
        _erase(row, "retention", db=db, at=at)
        _audit("retention_erase", row, by="system", db=db, at=at)
    return len(rows)
