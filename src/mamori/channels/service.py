"""Use cases of the trusted channels on a platform: register a body, give it keys and sign-ins, take
its requests in as removal cases (source "trusted"), and show it the status of each.

A body's requests are ordinary removal requests (情プラ法 Art. 22): the same clock, the same Art. 25
notices (to the body's contact address), counted apart in the yearly report by `source == "trusted"`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mamori.channels import model, store
from mamori.channels.model import BodyKind, Scope
from mamori.core import audit, auth
from mamori.core.audit import Actor
from mamori.core.auth import Principal
from mamori.core.config import Settings
from mamori.core.errors import DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters
from mamori.decisions import service as decisions
from mamori.requests import service as requests
from mamori.requests.model import OPEN_STAGES


@dataclass(frozen=True)
class NewBody:
    slug: str
    name: str
    kind: str
    contact_email: str
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class TrustedRequest:
    """What a body sends: the post, the rights, why; the body itself is the requester."""

    service: str
    content_url: str
    content_text: str
    rights: list[str]
    reason: str
    lang: str = "ja"
    reference: str = ""
    show_name_to_poster: bool = False
    evidence: list[requests.EvidenceRef] = field(default_factory=list)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Caller:
    """A body as one request reaches it: through a key (with its scopes) or a member's web sign-in."""

    body: store.ChannelBodyRow
    scopes: frozenset[str]
    actor: Actor
    key_id: str | None = None

    def need(self, scope: Scope) -> None:
        if scope.value not in self.scopes:
            raise Forbidden(
                f"この鍵には「{scope.value}」の権限がありません。", f"This key lacks the scope {scope.value}."
            )


@dataclass(frozen=True)
class RequestStatus:
    id: str
    reference: str
    receipt_number: str
    content_url: str
    stage: str
    received_at: dt.datetime
    decision_due_at: dt.datetime
    decided_at: dt.datetime | None
    outcome: str | None  # the measure in force (remove, restrict_visibility, suspend_account, no_action)
    duplicates: int


@dataclass(frozen=True)
class BodyRecord:
    """What reviewers see of a body: how often its requests were unfounded (decided: no action)."""

    slug: str
    name: str
    kind: str
    sent: int
    decided: int
    unfounded: int
    duplicates: int


def _invalid(field_name: str, ja: str, en: str) -> DomainError:
    return DomainError(code="invalid", field=field_name, ja=ja, en=en)


def _manager(by: Actor) -> None:
    if not by.may("channel.manage"):
        raise Forbidden()


def add_body(new: NewBody, *, db: Session, at: dt.datetime, by: Actor) -> store.ChannelBodyRow:
    """Register a trusted body (administrator); it gets a machine account that its API keys belong to."""
    _manager(by)
    slug = new.slug.strip().lower()
    if not model.SLUG.match(slug):
        raise _invalid(
            "slug", "識別子は英小文字・数字・ハイフン3〜60文字です。", "Use 3-60 of a-z, 0-9 and -."
        )
    if new.kind not in {k.value for k in BodyKind}:
        raise _invalid(
            "kind",
            f"種類は {', '.join(BodyKind)} から選んでください。",
            f"Choose the kind from {', '.join(BodyKind)}.",
        )
    for name, value, limit in (
        ("name", new.name, 100),
        ("contact_email", new.contact_email, 320),
        ("address", new.address, 500),
        ("phone", new.phone, 30),
    ):
        refuse_control_characters(value, field=name, single_line=True)
        if len(value) > limit:
            raise _invalid(name, f"{limit}文字以内にしてください。", f"At most {limit} characters.")
    if not new.name.strip():
        raise _invalid("name", "名称を入力してください。", "Enter the body's name.")
    if "@" not in new.contact_email:
        raise _invalid("contact_email", "連絡先メールアドレスを入力してください。", "Enter a contact e-mail.")
    if store.body_by_slug(db, slug) is not None:
        raise DomainError(
            code="body_exists",
            field="slug",
            status=409,
            ja=f"{slug} は既に登録されています。",
            en=f"{slug} is already registered.",
        )
    machine = auth.create_user(
        f"channel-{slug}@channels.mamori.invalid",
        f"{new.name.strip()} (API)",
        ["trusted_notifier"],
        secrets.token_urlsafe(32),  # never shown: the account signs in only with its keys
        db=db,
        at=at,
        by=by,
    )
    body = store.ChannelBodyRow(
        slug=slug,
        name=new.name.strip(),
        kind=new.kind,
        contact_email=new.contact_email.strip(),
        address=new.address.strip(),
        phone=new.phone.strip(),
        machine_user_id=machine.id,
        created_at=at,
    )
    db.add(body)
    db.flush()
    audit.record(
        db, at=at, actor=by, action="channel.body_added", subject_type="channel_body", subject_id=body.id
    )
    return body


def get_body(db: Session, slug: str) -> store.ChannelBodyRow:
    body = store.body_by_slug(db, slug)
    if body is None:
        raise NotFound("trusted body", slug)
    return body


def list_bodies(db: Session) -> list[store.ChannelBodyRow]:
    return store.bodies(db)


def add_member(
    slug: str, email: str, display_name: str, password: str, *, db: Session, at: dt.datetime, by: Actor
) -> auth.UserRow:
    """A web sign-in for a body: a staff account with role trusted_notifier, linked to it."""
    _manager(by)
    body = get_body(db, slug)
    user = auth.create_user(email, display_name, ["trusted_notifier"], password, db=db, at=at, by=by)
    db.add(store.ChannelMemberRow(user_id=user.id, body_id=body.id, created_at=at))
    audit.record(
        db,
        at=at,
        actor=by,
        action="channel.member_added",
        subject_type="channel_body",
        subject_id=body.id,
        user=user.id,
    )
    return user


def issue_key(
    slug: str,
    *,
    scopes: frozenset[Scope] = model.ALL_SCOPES,
    valid_days: int,
    label: str = "",
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> tuple[str, store.ChannelKeyRow]:
    """A new API key for the body: returned once, only its SHA-256 kept; it expires after valid_days."""
    _manager(by)
    if not 1 <= valid_days <= 1095:
        raise _invalid("valid_days", "有効期間は1〜1095日です。", "A key is valid for 1 to 1095 days.")
    refuse_control_characters(label, field="label", single_line=True)
    body = get_body(db, slug)
    machine = db.get(auth.UserRow, body.machine_user_id)
    assert machine is not None
    valid_for = dt.timedelta(days=valid_days)
    token = auth.create_api_token(
        machine, db=db, at=at, label=f"channel:{slug}:{label}"[:200], valid_for=valid_for
    )
    row = store.ChannelKeyRow(
        token_hash=auth.token_digest(token),
        body_id=body.id,
        scopes=",".join(sorted(scopes)),
        label=label[:200],
        created_at=at,
        expires_at=at + valid_for,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by,
        action="channel.key_issued",
        subject_type="channel_body",
        subject_id=body.id,
        key=row.key_id,
    )
    return token, row


def _key(db: Session, slug: str, key_id: str) -> store.ChannelKeyRow:
    body = get_body(db, slug)
    for row in store.keys_of(db, body.id):
        if row.key_id == key_id.strip():
            return row
    raise NotFound("key", key_id)


def revoke_key(slug: str, key_id: str, *, db: Session, at: dt.datetime, by: Actor) -> store.ChannelKeyRow:
    """Refused from the next request on (the core token is revoked in the same transaction)."""
    _manager(by)
    row = _key(db, slug, key_id)
    if row.revoked_at is None:
        row.revoked_at = at
    token = db.get(auth.ApiTokenRow, row.token_hash)
    if token is not None:
        token.revoked = True
    audit.record(
        db,
        at=at,
        actor=by,
        action="channel.key_revoked",
        subject_type="channel_body",
        subject_id=row.body_id,
        key=row.key_id,
    )
    return row


def rotate_key(
    slug: str, key_id: str, *, valid_days: int, db: Session, at: dt.datetime, by: Actor
) -> tuple[str, store.ChannelKeyRow]:
    """A new key with the same scopes; the old one is revoked at once (no overlap to leak through)."""
    old = _key(db, slug, key_id)
    if old.revoked_at is not None:
        raise DomainError(
            code="key_revoked",
            field="key",
            status=409,
            ja="取り消された鍵は更新できません。",
            en="A revoked key cannot be rotated.",
        )
    token, new = issue_key(
        slug,
        scopes=frozenset(Scope(s) for s in old.scope_set),
        valid_days=valid_days,
        label=old.label,
        db=db,
        at=at,
        by=by,
    )
    revoke_key(slug, key_id, db=db, at=at, by=by)
    old.replaced_by = new.token_hash
    return token, new


def keys(slug: str, *, db: Session) -> list[store.ChannelKeyRow]:
    return store.keys_of(db, get_body(db, slug).id)


def caller_for(principal: Principal, bearer: str | None, *, db: Session, at: dt.datetime) -> Caller:
    """The body behind a request: the key's body and scopes, or the signed-in member's body (all scopes).

    The core token check already refused a revoked, expired or unknown key (401); this adds the link to a
    body and the key's scopes, and refuses a deactivated body.
    """
    body: store.ChannelBodyRow | None = None
    scopes: frozenset[str] = frozenset()
    key_id = None
    row = db.get(store.ChannelKeyRow, auth.token_digest(bearer)) if bearer else None
    if row is not None:
        if model.key_usable(expires_at=row.expires_at, revoked_at=row.revoked_at, now=at):
            body, scopes, key_id = db.get(store.ChannelBodyRow, row.body_id), row.scope_set, row.key_id
    else:  # a member's web session (or their own staff token): the body they belong to, every scope
        member = db.get(store.ChannelMemberRow, principal.user_id)
        if member is not None:
            body, scopes = db.get(store.ChannelBodyRow, member.body_id), frozenset(model.ALL_SCOPES)
    if body is None or not body.active:
        raise Forbidden(
            "この鍵・アカウントはどの機関にも結び付いていません。",
            "This key or account belongs to no trusted body.",
        )
    return Caller(body, scopes, principal.actor, key_id)


def submit(
    form: TrustedRequest, *, caller: Caller, db: Session, settings: Settings, at: dt.datetime
) -> tuple[store.ChannelRequestRow, bool]:
    """Take a body's request in as a removal case (source "trusted"); returns (row, is_duplicate).

    The same body sending the same URL again while its case is open does not open a second case: the
    first request counts the repeat (a flood of identical reports is one case to review).
    """
    caller.need(Scope.SUBMIT)
    key = model.content_key(form.content_url)
    for earlier in store.same_content(db, caller.body.id, key):
        case = requests.find_case(db, earlier.case_id)
        if case is not None and case.stage in {s.value for s in OPEN_STAGES}:
            earlier.duplicates += 1
            earlier.last_duplicate_at = at
            audit.record(
                db,
                at=at,
                actor=caller.actor,
                action="channel.duplicate",
                subject_type="channel_request",
                subject_id=earlier.id,
            )
            return earlier, True
    body = caller.body
    receipt = requests.file_request(
        requests.RequestForm(
            service=form.service,
            content_url=form.content_url,
            content_text=form.content_text,
            rights=form.rights,
            reason=form.reason,
            requester=requests.Requester(body.name, body.address, body.contact_email, body.phone),
            show_name_to_poster=form.show_name_to_poster,
            declaration_true=True,
            lang=form.lang,
            evidence=form.evidence,
            source="trusted",
            trusted_source=body.name,
            idempotency_key=form.idempotency_key,
        ),
        db=db,
        settings=settings,
        at=at,
        by=caller.actor,
    )
    existing = [r for r in store.same_content(db, body.id, key) if r.case_id == receipt.case_id]
    if existing:  # an idempotent retry answered with the first receipt
        return existing[0], True
    row = store.ChannelRequestRow(
        body_id=body.id, case_id=receipt.case_id, content_key=key, reference=form.reference, received_at=at
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        at=at,
        actor=caller.actor,
        action="channel.request",
        subject_type="channel_request",
        subject_id=row.id,
        case=receipt.case_id,
    )
    return row, False


def describe(row: store.ChannelRequestRow, db: Session) -> RequestStatus:
    case = requests.get_case_row(db, row.case_id)
    decision = decisions.latest(row.case_id, db=db)
    return RequestStatus(
        id=row.id,
        reference=row.reference,
        receipt_number=case.receipt_number,
        content_url=case.content_url,
        stage=case.stage,
        received_at=case.received_at,
        decision_due_at=case.decision_due_at,
        decided_at=case.decided_at,
        outcome=decision.measure if decision is not None else None,
        duplicates=row.duplicates,
    )


def statuses(*, caller: Caller, db: Session) -> list[RequestStatus]:
    """Every request the body sent, newest first, with where its case stands."""
    caller.need(Scope.READ)
    return [describe(r, db) for r in store.requests_of(db, caller.body.id)]


def status(request_id: str, *, caller: Caller, db: Session) -> RequestStatus:
    """One of the body's requests; another body's is not found (its existence is not revealed)."""
    caller.need(Scope.READ)
    row = db.get(store.ChannelRequestRow, request_id)
    if row is None or row.body_id != caller.body.id:
        raise NotFound("request", request_id)
    return describe(row, db)


def body_records(*, db: Session, by: Actor) -> list[BodyRecord]:
    """Each body's record: requests sent, decided, and unfounded (decided with no action), for reviewers."""
    if not by.may("channel.read"):
        raise Forbidden()
    out = []
    for body in store.bodies(db):
        rows = store.requests_of(db, body.id)
        measures = [m.measure for r in rows if (m := decisions.latest(r.case_id, db=db)) is not None]
        out.append(
            BodyRecord(
                body.slug,
                body.name,
                body.kind,
                sent=len(rows),
                decided=len(measures),
                unfounded=sum(1 for m in measures if m == "no_action"),
                duplicates=sum(r.duplicates for r in rows),
            )
        )
    return out
