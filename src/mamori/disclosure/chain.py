"""The 提供命令 chain (情プラ法 Art. 15) on both sides, and the tables it runs on.

Content provider: identify the access provider from the configured address ranges (service.
identify_provider), give the requester its name and address, wait (two months at most) for the
requester to say they filed against it, then hand it the IP address, port and time of sending: to
another mamori, by POST /api/v1/disclosure/handovers with the key that access provider gave us.
Access provider: a registered peer (content provider) hands an order on; we answer from our assignment
records (logs.service.who_held) with held / ambiguous / not_held, and hold the records. The JSON
format is documented in docs/disclosure.md.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Mapping
from typing import Any

import httpx
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError, FieldProblem
from mamori.core.operator import operator_profile
from mamori.disclosure import fields, model, store
from mamori.disclosure.model import MatterKind, MatterStatus
from mamori.disclosure.service import (
    _bound,
    _new_matter,
    _place_hold,
    _seal_details,
    close,
    details_of,
    filing_ends_at,
    may_manage,
    may_read,
    open_matter,
    record_step,
    sealer,
)
from mamori.logs import service as logs


def tell_requester_provider(
    matter_id: str,
    told_at: dt.datetime | None,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> store.ProviderRow:
    """Record that the requester was given the access provider's name and address (Art. 15(1)(i));
    the two months for their filing against it run from that day."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.PROVISION_ORDER)
    provider = db.get(store.ProviderRow, row.provider_id) if row.provider_id else None
    if provider is None:
        raise Conflict(
            "provider_unknown",
            "経由プロバイダを先に特定してください。",
            "Identify the access provider first.",
            "provider",
        )
    if row.name_told_at is not None:
        raise Conflict("already_told", "既に通知済みです。", "The requester was already told.", "told_at")
    told_at = told_at or at
    if told_at > at or told_at < row.served_at:
        raise DomainError(
            code="bad_time",
            field="told_at",
            ja="通知日は送達日から今日までの日にしてください。",
            en="The requester was told between the service and today.",
        )
    row.name_told_at = told_at
    record_step(db, row.id, at, "provider_told", by, provider=provider.name, told_at=told_at.isoformat())
    return provider


def record_filing_notice(
    matter_id: str, notified_at: dt.datetime, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """The requester told us they filed a 開示命令 against the access provider: the IP and timestamps
    are now to be handed to it (Art. 15(1)(ii)). Too late after two months: the order lapsed."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.PROVISION_ORDER)
    ends = filing_ends_at(row)
    if ends is None:
        raise Conflict(
            "not_told",
            "経由プロバイダの氏名等をまだ申立人に通知していません。",
            "The requester has not yet been given the access provider's name.",
            "notified_at",
        )
    if notified_at > at:
        raise DomainError(
            code="bad_time", field="notified_at", ja="通知日が未来です。", en="The date is in the future."
        )
    if notified_at > ends:
        raise Conflict(
            "lapsed",
            "2か月の期間が過ぎています（提供命令は失効しました）。",
            "The two months have passed: the provision order lapsed.",
            "notified_at",
        )
    row.filing_notified_at = notified_at
    record_step(db, row.id, at, "filing_notified", by, notified_at=notified_at.isoformat())
    return row


def hand_over(matter_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor) -> str:
    """Hand the IP address, port and time of sending to the access provider's mamori (Art. 15(1)(ii))
    and record its answer (held / ambiguous / not_held). The subscriber is never named to us."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.PROVISION_ORDER)
    if row.filing_notified_at is None:
        raise Conflict(
            "no_filing",
            "申立人から経由プロバイダへの申立ての通知がまだありません。",
            "The requester has not yet said they filed against the access provider.",
            "handover",
        )
    provider = db.get(store.ProviderRow, row.provider_id) if row.provider_id else None
    if provider is None or not provider.api_url:
        raise Conflict(
            "no_api",
            "この経由プロバイダには mamori の API が登録されていません。",
            "No mamori API is registered for this access provider.",
            "handover",
        )
    target = fields.Target.from_json(details_of(row, settings)["target"])
    audit.record(
        db,
        at=at,
        actor=by,
        action="disclosure.target_read",
        subject_type="disclosure",
        subject_id=row.id,
        personal_data=True,
    )
    key = (
        sealer(settings).open(provider.key_sealed, bound_to=_bound(provider.id, "key"))
        if provider.key_sealed
        else ""
    )
    payload = {
        "format": "mamori.disclosure.handover/1",
        "from": operator_profile(db, settings).name("ja"),
        "court": row.court,
        "case_number": row.case_number,
        "order_served_at": row.served_at.isoformat(),
        "ip": target.ip,
        "port": target.port,
        "at": target.at.isoformat() if target.at else None,
    }
    try:
        answer = httpx.post(
            provider.api_url.rstrip("/") + "/api/v1/disclosure/handovers",
            json=payload,
            headers={"Authorization": f"Bearer {key}"},
            timeout=settings.disclosure_handover_timeout_s,
        )
    except httpx.HTTPError as exc:
        raise DomainError(
            code="provider_unreachable",
            status=502,
            field="handover",
            ja=f"経由プロバイダに接続できません: {type(exc).__name__}",
            en=f"The access provider did not answer: {type(exc).__name__}",
        ) from exc
    if answer.status_code != 201:
        raise DomainError(
            code="provider_refused",
            status=502,
            field="handover",
            ja=f"経由プロバイダが受け付けませんでした (HTTP {answer.status_code})。",
            en=f"The access provider refused the hand-over (HTTP {answer.status_code}).",
        )
    body = answer.json()
    status = str(body.get("status", ""))[:20]
    row.handed_over_at, row.handover_answer = at, status
    record_step(
        db,
        row.id,
        at,
        "handed_over",
        by,
        provider=provider.name,
        answer=status,
        their_number=str(body.get("number", ""))[:40],
    )
    close(row, MatterStatus.ENDED, "handed over", db=db, settings=settings, at=at, by=by)
    return status


# ---------------------------------------------------------------- the access provider's side


def receive_handover(
    key: str, data: Mapping[str, Any], *, db: Session, settings: Settings, at: dt.datetime
) -> tuple[store.MatterRow, str, int]:
    """A content provider hands on a 提供命令's IP address, port and time. We look up who held the
    address then (logs.service.who_held) and hold that subscriber's assignment records; the answer says
    only held / ambiguous / not_held, never who (that is for the court's order against us)."""
    peer = store.peer_by_key(db, model.key_digest(key)) if key else None
    if peer is None:
        raise DomainError(
            code="unknown_peer",
            status=401,
            ja="この鍵は登録されていません。",
            en="This key is not registered.",
        )
    problems: list[FieldProblem] = []
    court = fields.text(data.get("court"), "court", problems, required=True, ja="裁判所", en="court")
    case_number = fields.text(
        data.get("case_number"), "case_number", problems, required=True, ja="事件番号", en="case number"
    )
    served_at = fields.moment(
        data.get("order_served_at"),
        "order_served_at",
        problems,
        required=True,
        ja="送達日時",
        en="time of service",
    )
    ip = fields.ip_address(data.get("ip"), problems)
    port = fields.port(data.get("port"), problems)
    when = fields.moment(data.get("at"), "at", problems, required=True, ja="発信時刻", en="time of sending")
    if not ip:
        problems.append(FieldProblem("ip", "IP アドレスを入力してください。", "Give the IP address."))
    if problems:
        raise fields.invalid(problems)
    assert served_at is not None and when is not None
    system = Actor.system()
    lookup = logs.who_held(db, ip=ip, port=port, when=when, actor=system, at=at, settings=settings)
    row = _new_matter(MatterKind.HANDOVER, at, at=at, by=Actor(f"peer:{peer.name}"))
    row.court, row.case_number = court, case_number
    db.add(row)
    db.flush()
    target = fields.Target(ip=ip, port=port, at=when)
    _seal_details(
        row,
        {
            "target": target.as_json(),
            "from": peer.name,
            "order_served_at": served_at.isoformat(),
            "lookup": lookup.status,
            "subscriber_id": lookup.subscriber_id,
        },
        settings,
    )
    record_step(
        db,
        row.id,
        at,
        "handover_received",
        f"peer:{peer.name}",
        answer=lookup.status,
        candidates=lookup.candidates,
    )
    if lookup.status != "not_held":
        _place_hold(row, target, "disclosure_request", db=db, settings=settings, at=at, by=system)
    audit.record(
        db,
        at=at,
        actor=f"peer:{peer.name}",
        action="disclosure.handover_received",
        subject_type="disclosure",
        subject_id=row.id,
        answer=lookup.status,
    )
    return row, lookup.status, lookup.candidates


# ---------------------------------------------------------------- providers and peers


def add_provider(
    name: str,
    address: str,
    ranges: list[str],
    api_url: str,
    key: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> store.ProviderRow:
    """Configure an access provider: its name and address (given to requesters), the address ranges it
    assigns, and (optionally) its mamori API with the key it gave us."""
    may_manage(by)
    problems: list[FieldProblem] = []
    name = fields.text(name, "name", problems, required=True, ja="名称", en="name")
    address = fields.text(address, "address", problems, required=True, ja="住所", en="address")
    api_url = fields.text(api_url, "api_url", problems, required=False, ja="API の URL", en="API URL")
    if api_url and not api_url.startswith(("http://", "https://")):
        problems.append(
            FieldProblem(
                "api_url",
                "URL は http:// か https:// で始めてください。",
                "The URL starts with http:// or https://.",
            )
        )
    networks = []
    for entry in ranges:
        try:
            networks.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError:
            problems.append(
                FieldProblem(
                    "range",
                    f"アドレス範囲 (CIDR) が正しくありません: {entry[:60]}",
                    f"Not an address range (CIDR): {entry[:60]}",
                )
            )
    if not ranges:
        problems.append(
            FieldProblem(
                "range",
                "アドレス範囲 (CIDR) を一つ以上入力してください。",
                "Give at least one address range (CIDR).",
            )
        )
    if problems:
        raise fields.invalid(problems)
    if store.provider_by_name(db, name) is not None:
        raise Conflict(
            "provider_exists",
            "この名称の経由プロバイダは登録済みです。",
            "An access provider of this name exists.",
            "name",
        )
    taken = {r.network for r in store.ranges(db)} & set(networks)
    if taken:
        raise Conflict(
            "range_taken",
            f"この範囲は登録済みです: {', '.join(sorted(taken))}",
            f"Range already configured: {', '.join(sorted(taken))}",
            "range",
        )
    row = store.ProviderRow(id=store.new_id(), name=name, address=address, api_url=api_url, created_at=at)
    row.key_sealed = sealer(settings).seal(key, bound_to=_bound(row.id, "key")) if key else ""
    db.add(row)
    db.flush()
    for network in dict.fromkeys(networks):
        db.add(store.ProviderRangeRow(provider_id=row.id, network=network))
    audit.record(
        db,
        at=at,
        actor=by,
        action="disclosure.provider_added",
        subject_type="disclosure_provider",
        subject_id=row.id,
    )
    db.flush()
    return row


def providers(*, db: Session, by: Actor) -> list[tuple[store.ProviderRow, list[str]]]:
    may_read(by)
    return [(p, [r.network for r in store.ranges_of(db, p.id)]) for p in store.providers(db)]


def add_peer(name: str, *, db: Session, at: dt.datetime, by: Actor) -> str:
    """(Access provider) let a content provider hand orders on through the API; returns its key, shown once."""
    may_manage(by)
    problems: list[FieldProblem] = []
    name = fields.text(name, "name", problems, required=True, ja="名称", en="name")
    if problems:
        raise fields.invalid(problems)
    if store.peer_by_name(db, name) is not None:
        raise Conflict("peer_exists", "この名称は登録済みです。", "This name is already registered.", "name")
    key = model.new_key()
    db.add(store.PeerRow(name=name, key_hash=model.key_digest(key), created_at=at))
    audit.record(
        db, at=at, actor=by, action="disclosure.peer_added", subject_type="disclosure_peer", subject_id=name
    )
    db.flush()
    return key
