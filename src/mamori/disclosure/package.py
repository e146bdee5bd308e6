"""The disclosure package: the items requested that the logs hold, for the entitled recipient (the
requester or their lawyer on a granted request; the petitioner named in a final 開示命令), as one
signed JSON file saying who produced it and when.

The signature is Ed25519 over the canonical JSON of the package, with the deployment's signing key
(the evidence packages' key: MAMORI_EVIDENCE_SIGNING_KEY, else <data_dir>/evidence/signing/ed25519.pem,
made on first use), so a recipient checks both kinds of file against one published key id. A second
production of the same package is refused unless a reason is given; then it is recorded with the
first one it repeats, and the file says it is a repeat.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.auth import UserRow
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError
from mamori.core.operator import operator_profile
from mamori.disclosure import fields, service, store
from mamori.disclosure.model import MatterKind, MatterStatus
from mamori.drafting.model import DisclosureItem
from mamori.logs import service as logs

FORMAT = "mamori.disclosure.package/1"
ALGORITHM = "Ed25519"
LOGIN_KINDS = ("login", "logout", "account_created")
LOGIN_WINDOW = dt.timedelta(days=1)  # login-time information around the post, when no period is ordered


@dataclass(frozen=True)
class Produced:
    file_name: str
    content: bytes
    production: store.ProductionRow
    not_held: list[str]


def signing_key_path(settings: Settings) -> Path:
    return settings.evidence_signing_key or Path(settings.data_dir) / "evidence" / "signing" / "ed25519.pem"


def _signing_key(path: Path) -> Ed25519PrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made by another process meanwhile
        return _signing_key(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def canonical(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def verify(content: bytes, *, trusted_key_ids: set[str] | None = None) -> str | None:
    """None when the file's signature holds over its package (and the key is trusted); else why not."""
    try:
        document = json.loads(content)
        package, signature = document["package"], document["signature"]
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signature["public_key"]))
        public.verify(base64.b64decode(signature["signature"]), canonical(package))
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return "the signature does not match the package"
    key_id = hashlib.sha256(_raw(public)).hexdigest()
    if trusted_key_ids is not None and key_id not in trusted_key_ids:
        return f"signed by an unknown key {key_id[:16]}…"
    return None


def _entitled(row: store.MatterRow, settings: Settings, at: dt.datetime) -> None:
    kind = MatterKind(row.kind)
    if kind is MatterKind.REQUEST and row.granted == "yes":
        return
    if kind is MatterKind.DISCLOSURE_ORDER and service.order_is_final(row, settings, at):
        return
    if kind is MatterKind.DISCLOSURE_ORDER:
        raise Conflict(
            "order_not_final",
            "開示命令はまだ確定していません（異議の訴えの期間中か、訴えが係属中です）。",
            "The disclosure order is not final yet (the objection-suit period runs, or a suit is pending).",
            "package",
        )
    if kind is MatterKind.REQUEST:
        raise Conflict(
            "not_granted",
            "この請求は開示すると判断されていません。",
            "This request was not granted.",
            "package",
        )
    raise Conflict(
        "nothing_to_disclose",
        "開示の対象は、認めた請求か確定した開示命令だけです。",
        "Only a granted request or a final disclosure order is disclosed.",
        "package",
    )


def _held_items(
    items: list[str], target: fields.Target, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> tuple[dict[str, Any], list[str]]:
    """The requested items the logs hold (decrypted through logs.service: audited reads), and the rest."""
    event = (
        logs.post_event(db, post_id=target.post_id, actor=by, at=at, settings=settings)
        if target.post_id
        else None
    )
    account = target.account_id or (event.account_id if event else "")
    if not account and target.ip and target.at:
        # The access provider's side: the subscriber who held the address then is the account.
        lookup = logs.who_held(
            db, ip=target.ip, port=target.port, when=target.at, actor=by, at=at, settings=settings
        )
        account = lookup.subscriber_id or ""
    holder = (
        logs.account_holder(db, account_id=account, actor=by, at=at, settings=settings) if account else None
    )
    found: dict[str, Any] = {}
    for item in items:
        value: Any = None
        if item == DisclosureItem.NAME and holder:
            value = holder.name
        elif item == DisclosureItem.ADDRESS and holder:
            value = holder.address
        elif item == DisclosureItem.PHONE and holder:
            value = holder.phone
        elif item == DisclosureItem.EMAIL and holder:
            value = holder.email
        elif item == DisclosureItem.IP_PORT and event and event.ip:
            value = {"ip": event.ip, "port": event.port}
        elif item == DisclosureItem.MOBILE_ID and event:
            value = event.mobile_id
        elif item == DisclosureItem.ICCID and event:
            value = event.iccid
        elif item == DisclosureItem.TIMESTAMP and event:
            value = event.occurred_at.astimezone(JST).isoformat()
        elif item == DisclosureItem.LOGIN_INFO and account:
            start = target.start or (event.occurred_at - LOGIN_WINDOW if event else None)
            end = target.end or (event.occurred_at + LOGIN_WINDOW if event else None)
            if start and end:
                events = logs.events_of_account(
                    db, account_id=account, start=start, end=end, actor=by, at=at, settings=settings
                )
                logins = [
                    {
                        "kind": e.kind,
                        "at": e.occurred_at.astimezone(JST).isoformat(),
                        "ip": e.ip,
                        "port": e.port,
                    }
                    for e in events
                    if e.kind in LOGIN_KINDS
                ]
                value = logins or None
        if value:
            found[item] = value
    return found, [i for i in items if i not in found]


def produce(
    matter_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor, repeat_reason: str = ""
) -> Produced:
    """Produce the signed disclosure package of a granted request or a final 開示命令 (legal officer).

    The first production closes the matter as disclosed (its hold released). Producing it again needs
    `repeat_reason`; the repeat is recorded beside the first and the file says so."""
    service.may_manage(by)
    row = service.get_matter(db, matter_id)
    earlier = store.productions_of(db, row.id)
    repeat_reason = repeat_reason.strip()[:2000]
    if earlier and not repeat_reason:
        first = earlier[0]
        raise Conflict(
            "already_produced",
            f"この開示パッケージは {first.produced_at.astimezone(JST):%Y-%m-%d %H:%M} (日本時間) に作成済みです。"
            "もう一度作成するには理由を書いてください（記録されます）。",
            f"This package was already produced at {first.produced_at.astimezone(JST):%Y-%m-%d %H:%M} JST. "
            "To produce it again, give the reason (it is recorded).",
            "repeat_reason",
        )
    if not earlier:
        if row.status != MatterStatus.OPEN.value:
            raise Conflict("closed", "この件は終了しています。", "This matter is closed.", "status")
        _entitled(row, settings, at)
    details = service.details_of(row, settings)
    target = fields.Target.from_json(details["target"])
    items = [i for i in row.items.split(",") if i]
    if not items:
        raise DomainError(
            code="no_items", field="items", ja="開示する項目がありません。", en="No items to disclose."
        )
    found, not_held = _held_items(items, target, db=db, settings=settings, at=at, by=by)
    user = db.get(UserRow, by.user_id) if by.user_id else None
    package = {
        "format": FORMAT,
        "provider": operator_profile(db, settings).name("ja"),
        "matter": row.number,
        "kind": row.kind,
        "court": row.court,
        "case_number": row.case_number,
        "recipient": details.get("recipient", {}),
        "items_requested": items,
        "items": found,
        "not_held": not_held,
        "produced_at": at.astimezone(JST).isoformat(),
        "produced_by": {"id": by.ident, "name": user.display_name if user else by.ident},
        "production": len(earlier) + 1,
        "repeat_of": (
            {
                "produced_at": earlier[0].produced_at.astimezone(JST).isoformat(),
                "sha256": earlier[0].package_sha256,
            }
            if earlier
            else None
        ),
        "repeat_reason": repeat_reason or None,
    }
    key = _signing_key(signing_key_path(settings))
    public = key.public_key()
    body = canonical(package)
    signature = {
        "algorithm": ALGORITHM,
        "public_key": base64.b64encode(_raw(public)).decode(),
        "key_id": hashlib.sha256(_raw(public)).hexdigest(),
        "signature": base64.b64encode(key.sign(body)).decode(),
    }
    content = json.dumps({"package": package, "signature": signature}, ensure_ascii=False, indent=2).encode()
    production = store.ProductionRow(
        matter_id=row.id,
        sequence=len(earlier) + 1,
        package_sha256=hashlib.sha256(body).hexdigest(),
        key_id=signature["key_id"],
        items=",".join(found),
        produced_at=at,
        produced_by=by.ident,
        repeat_of=earlier[0].id if earlier else None,
        repeat_reason=repeat_reason,
    )
    db.add(production)
    service.record_step(
        db,
        row.id,
        at,
        "package_repeated" if earlier else "package_produced",
        by,
        items=sorted(found),
        not_held=not_held,
    )
    audit.record(
        db,
        at=at,
        actor=by,
        action="disclosure.package_produced",
        subject_type="disclosure",
        subject_id=row.id,
        personal_data=True,
        production=len(earlier) + 1,
    )
    if not earlier:
        service.close(row, MatterStatus.DISCLOSED, "package produced", db=db, settings=settings, at=at, by=by)
    db.flush()
    return Produced(f"disclosure-{row.number}-{len(earlier) + 1}.json", content, production, not_held)
