"""Use cases of sender-information disclosure: requests and the three court orders, their steps and
clocks, the holds they place on the logs, and the 提供命令 chain to the access provider.

Who may act: the legal officer (disclosure.manage; reading needs disclosure.read), checked here so the
API, the pages, the command line and a job get the same answer. Every read of the sealed details (the
request, the poster's address, IP and times) is audited as a read of personal data. Nothing commits.
The input is read in `fields.py`; the opinion hearing is in `hearing.py`, the disclosure package in
`package.py`, the 提供命令's hand-over in `chain.py`, the clocks and the queue in `clocks.py`.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import JST, format_jst, to_utc
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.errors import Conflict, DomainError, FieldProblem, Forbidden, NotFound
from mamori.core.i18n import translate
from mamori.core.operator import operator_profile
from mamori.disclosure import fields, model, store
from mamori.disclosure.model import HearingStatus, MatterKind, MatterStatus
from mamori.drafting import service as drafting
from mamori.drafting.model import DisclosureRequest, ProviderKind
from mamori.logs import service as logs
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus

MAX_TEXT = 2000
IP_HOLD_MARGIN = dt.timedelta(days=1)  # an IP hold covers the day on either side of the time of sending
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, read aloud without ambiguity
NOTICE_ORDER = "disclosure_order_notice"  # Art. 6(2): the objecting poster is told of a 開示命令


# ---------------------------------------------------------------- who may act


def may_read(by: Actor) -> None:
    if not by.may("disclosure.read"):
        raise Forbidden()


def may_manage(by: Actor) -> None:
    if not by.may("disclosure.manage"):
        raise Forbidden()


def sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key, purpose="disclosure")


def _bound(row_id: str, what: str) -> str:
    return f"disclosure:{row_id}:{what}"


def details_of(row: store.MatterRow, settings: Settings) -> dict[str, Any]:
    """The sealed details of a matter (the caller audits the read)."""
    value: dict[str, Any] = sealer(settings).open(row.details_sealed, bound_to=_bound(row.id, "details"))
    return value


def _seal_details(row: store.MatterRow, details: dict[str, Any], settings: Settings) -> None:
    row.details_sealed = sealer(settings).seal(details, bound_to=_bound(row.id, "details"))


def record_step(
    db: Session, matter_id: str, at: dt.datetime, kind: str, actor: Actor | str, **detail: Any
) -> None:
    db.add(
        store.StepRow(
            matter_id=matter_id,
            seq=len(store.steps_of(db, matter_id)) + 1,  # the query flushes this transaction's earlier steps
            at=at,
            kind=kind,
            actor=actor.ident if isinstance(actor, Actor) else actor,
            detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        )
    )


def get_matter(db: Session, matter_id: str) -> store.MatterRow:
    row = db.get(store.MatterRow, matter_id) or store.by_number(db, matter_id)
    if row is None:
        raise NotFound("matter", matter_id)
    return row


def new_number(kind: MatterKind, at: dt.datetime) -> str:
    prefix = {MatterKind.REQUEST: "DR", MatterKind.HANDOVER: "DH"}.get(kind, "DO")
    tail = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{prefix}-{to_utc(at).astimezone(JST):%Y%m%d}-{tail}"


# ---------------------------------------------------------------- holds


def _place_hold(
    row: store.MatterRow,
    target: fields.Target,
    basis: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> None:
    """Hold the poster's records against the purge while the matter is open (a 消去禁止命令's or a
    pending request's hold). With nothing to hold by, the step says so."""
    start, end = target.start, target.end
    if target.ip and target.at and not target.account_id:
        start, end = target.at - IP_HOLD_MARGIN, target.at + IP_HOLD_MARGIN
    if not (target.account_id or target.ip):
        record_step(db, row.id, at, "no_hold", by)
        return
    row.hold_id = logs.place_hold(
        db,
        actor=by,
        at=at,
        basis=basis,
        reference=f"{row.number} {row.court} {row.case_number}".strip(),
        account_id=target.account_id or None,
        ip=target.ip if not target.account_id else None,
        start=start,
        end=end,
        settings=settings,
    )
    record_step(db, row.id, at, "hold_placed", by, basis=basis)


def _release_hold(
    row: store.MatterRow, reason: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> None:
    if row.hold_id is None:
        return
    logs.release_hold(db, hold_id=row.hold_id, actor=by, at=at, reason=reason, settings=settings)
    record_step(db, row.id, at, "hold_released", by, reason=reason)
    row.hold_id = None


def _resolve_post(
    target: fields.Target,
    row: store.MatterRow,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> None:
    """Complete the target from the content provider's logs: the post names its account, IP, port, time."""
    if not target.post_id:
        return
    event = logs.post_event(db, post_id=target.post_id, actor=by, at=at, settings=settings)
    if event is None:
        record_step(db, row.id, at, "post_not_in_logs", by)
        return
    target.account_id = target.account_id or event.account_id
    if not target.ip and event.ip:
        target.ip, target.port, target.at = event.ip, event.port, event.occurred_at
    record_step(db, row.id, at, "post_found_in_logs", by)


# ---------------------------------------------------------------- intake


def _new_matter(kind: MatterKind, served_at: dt.datetime, *, at: dt.datetime, by: Actor) -> store.MatterRow:
    return store.MatterRow(
        id=store.new_id(),
        number=new_number(kind, at),
        kind=kind.value,
        status=MatterStatus.OPEN.value,
        served_at=served_at,
        details_sealed="",
        created_at=at,
        created_by=by.ident,
    )


def submit_request(
    data: Mapping[str, Any], *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """Register a voluntary disclosure request (発信者情報開示請求, Art. 5) in the form mamori's drafting
    part produces, checked for every item of MISSION.md §4 (DomainError names each field to fix).
    Optional beside the form: post_id / account_id (which records are asked for), received_at, and
    recipient {name, address} when the requester's lawyer is to receive the disclosure. The poster's
    records are held while the request is pending."""
    may_manage(by)
    if not isinstance(data, Mapping):
        raise fields.invalid(
            [FieldProblem("", "JSON オブジェクトで指定してください。", "Give a JSON object.")]
        )
    form = {k: v for k, v in data.items() if k not in ("post_id", "account_id", "received_at", "recipient")}
    problems: list[FieldProblem] = []
    try:
        draft = drafting.read_draft(drafting.DraftKind.DISCLOSURE, form)
    except DomainError as exc:
        problems += exc.problems or [FieldProblem(exc.field or "", exc.ja, exc.en)]
        draft = None
    received_at = (
        fields.moment(
            data.get("received_at"),
            "received_at",
            problems,
            required=False,
            ja="受付日時",
            en="time of receipt",
        )
        or at
    )
    recipient = data.get("recipient") or {}
    if not isinstance(recipient, Mapping):
        problems.append(
            FieldProblem(
                "recipient",
                "受領者は {name, address} で指定してください。",
                "Give the recipient as {name, address}.",
            )
        )
        recipient = {}
    recipient_name = fields.text(
        recipient.get("name"),
        "recipient.name",
        problems,
        required=False,
        ja="受領者の氏名",
        en="recipient's name",
    )
    recipient_address = fields.text(
        recipient.get("address"),
        "recipient.address",
        problems,
        required=False,
        ja="受領者の住所",
        en="recipient's address",
    )
    target = fields.target_from(
        {
            "post_id": data.get("post_id") or (form.get("post_number") or ""),
            "account_id": data.get("account_id"),
        },
        problems,
    )
    if problems or not isinstance(draft, DisclosureRequest):
        raise fields.invalid(problems)
    if received_at > at:
        raise fields.invalid(
            [FieldProblem("received_at", "受付日時が未来です。", "The time of receipt is in the future.")]
        )
    if draft.provider_kind is ProviderKind.ACCESS:
        target.ip, target.port, target.at = (
            draft.ip_address,
            draft.port,
            draft.sent_at and to_utc(draft.sent_at),
        )
    row = _new_matter(MatterKind.REQUEST, received_at, at=at, by=by)
    row.items = ",".join(i.value for i in draft.items)
    row.withheld = ",".join(w.value for w in (draft.withheld_from_poster or ()))
    db.add(row)
    db.flush()
    record_step(db, row.id, at, "request_received", by, received_at=received_at.isoformat())
    _resolve_post(target, row, db=db, settings=settings, at=at, by=by)
    chosen = {
        "name": recipient_name or draft.requester.name,
        "address": recipient_address or draft.requester.address,
    }
    _seal_details(row, {"request": dict(form), "target": target.as_json(), "recipient": chosen}, settings)
    _place_hold(row, target, "disclosure_request", db=db, settings=settings, at=at, by=by)
    audit.record(
        db,
        at=at,
        actor=by,
        action="disclosure.request_received",
        subject_type="disclosure",
        subject_id=row.id,
    )
    return row


def register_order(
    data: Mapping[str, Any], *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """Register a court order: kind (disclosure_order 開示命令, provision_order 提供命令,
    preservation_order 消去禁止命令), court, case_number, served_at (when it was served on us), what it
    is about (post_id / account_id / ip+sent_at, optional start/end), and for a 開示命令 the items
    ordered and the recipient. `related` names the request or order it follows (its hearing)."""
    may_manage(by)
    problems: list[FieldProblem] = []
    try:
        kind = MatterKind(str(data.get("kind") or ""))
        if kind not in model.ORDER_KINDS:
            raise ValueError
    except ValueError:
        problems.append(
            FieldProblem(
                "kind",
                "命令の種類を選んでください（開示命令・提供命令・消去禁止命令）。",
                "Choose the kind of order (disclosure, provision, preservation).",
            )
        )
        kind = MatterKind.DISCLOSURE_ORDER
    court = fields.text(data.get("court"), "court", problems, required=True, ja="裁判所", en="court")
    case_number = fields.text(
        data.get("case_number"), "case_number", problems, required=True, ja="事件番号", en="case number"
    )
    served_at = fields.moment(
        data.get("served_at"), "served_at", problems, required=True, ja="送達日時", en="time it was served"
    )
    if served_at and served_at > at:
        problems.append(
            FieldProblem("served_at", "送達日時が未来です。", "The time it was served is in the future.")
        )
    target = fields.target_from(data, problems)
    items = fields.items(data.get("items"), problems, required=kind is MatterKind.DISCLOSURE_ORDER)
    recipient = fields.text(
        data.get("recipient"),
        "recipient",
        problems,
        required=kind is MatterKind.DISCLOSURE_ORDER,
        ja="開示を受ける者（申立人又はその代理人）",
        en="recipient (the petitioner or their lawyer)",
    )
    related = None
    related_ref = fields.text(
        data.get("related"),
        "related",
        problems,
        required=False,
        ja="関連する請求の番号",
        en="related matter number",
    )
    if related_ref:
        related = db.get(store.MatterRow, related_ref) or store.by_number(db, related_ref)
        if related is None:
            problems.append(
                FieldProblem(
                    "related", "その番号の請求・命令はありません。", "There is no matter with this number."
                )
            )
    if related is not None and not (target.post_id or target.account_id or target.ip):
        target = fields.Target.from_json(details_of(related, settings)["target"])  # the request's own post
    if not (target.post_id or target.account_id or target.ip):
        problems.append(
            FieldProblem(
                "post_id",
                "対象の投稿 ID、アカウント ID、IP アドレスのどれかを入力してください。",
                "Give the post id, the account id or the IP address the order is about.",
            )
        )
    if problems:
        raise fields.invalid(problems)
    assert served_at is not None
    row = _new_matter(kind, served_at, at=at, by=by)
    row.court, row.case_number, row.items = court, case_number, ",".join(items)
    row.related_id = related.id if related else None
    db.add(row)
    db.flush()
    record_step(
        db,
        row.id,
        at,
        "order_registered",
        by,
        served_at=served_at.isoformat(),
        court=court,
        case_number=case_number,
    )
    _resolve_post(target, row, db=db, settings=settings, at=at, by=by)
    _seal_details(
        row, {"target": target.as_json(), "recipient": {"name": recipient, "address": ""}}, settings
    )
    basis = "erasure_order" if kind is MatterKind.PRESERVATION_ORDER else "disclosure_request"
    _place_hold(row, target, basis, db=db, settings=settings, at=at, by=by)
    if kind is MatterKind.PROVISION_ORDER:
        identify_provider(row.id, db=db, settings=settings, at=at, by=by)
    if kind is MatterKind.DISCLOSURE_ORDER:
        notify_objecting_poster(row, db=db, settings=settings, at=at)
    audit.record(
        db,
        at=at,
        actor=by,
        action="disclosure.order_registered",
        subject_type="disclosure",
        subject_id=row.id,
        kind=kind.value,
    )
    return row


# ---------------------------------------------------------------- Art. 6(2): tell the objecting poster


def poster_objected(row: store.MatterRow, db: Session) -> bool:
    """Whether the poster said they do not consent in a hearing on this matter or the one it follows."""
    ids = [row.id] + ([row.related_id] if row.related_id else [])
    return any(h.status == HearingStatus.OBJECTED.value for i in ids for h in store.hearings_of(db, i))


def notify_objecting_poster(
    row: store.MatterRow, *, db: Session, settings: Settings, at: dt.datetime
) -> None:
    """情プラ法 Art. 6(2): a 開示命令 was made and the poster had objected: tell them without delay.
    The mail is queued at once; the queue shows it as due until the mail server accepted it."""
    if row.kind != MatterKind.DISCLOSURE_ORDER.value or row.poster_notice_id or not poster_objected(row, db):
        return
    system = Actor.system()
    account = fields.Target.from_json(details_of(row, settings)["target"]).account_id
    if not account and row.related_id:
        related = db.get(store.MatterRow, row.related_id)
        account = (
            fields.Target.from_json(details_of(related, settings)["target"]).account_id if related else ""
        )
    holder = (
        logs.account_holder(db, account_id=account, actor=system, at=at, settings=settings)
        if account
        else None
    )
    if holder is None or not holder.email:
        record_step(db, row.id, at, "poster_unreachable", system)
        return
    profile = operator_profile(db, settings)
    lines = {}
    for lang in ("ja", "en"):

        def t(msgid: str, lang: str = lang) -> str:
            return translate(msgid, lang)

        lines[lang] = "\n".join(
            [
                t("You told us you do not consent to the disclosure of your sender information."),
                t(
                    "The court has now ordered us to disclose it (Article 6(2) of the Act requires us to tell you)."
                ),
                "",
                f"{t('Court')}: {row.court}",
                f"{t('Case number')}: {row.case_number}",
                f"{t('Served on us')}: {format_jst(row.served_at, lang)}",
                "",
                t("The order may be challenged by an objection suit within one month of its service."),
                "",
                f"― {profile.name(lang)}",
            ]
        )
    subject = (
        f"{translate('[%(platform)s] A court has ordered disclosure of your sender information', 'ja') % {'platform': profile.name('ja')}} / "
        + translate("[%(platform)s] A court has ordered disclosure of your sender information", "en")
        % {"platform": profile.name("en")}
    )
    notice = notices.queue(
        db,
        sealer=Sealer(settings.secret_key),
        case_id=None,
        kind=NOTICE_ORDER,
        recipient="poster",
        to_address=holder.email,
        lang="ja",
        subject=subject,
        body=f"{lines['ja']}\n\n――――― English ―――――\n\n{lines['en']}\n",
        dedupe_key=f"disclosure:{row.id}:art6-2",
        at=at,
        ref=row.id,
    )
    row.poster_notice_id = notice.id
    record_step(db, row.id, at, "poster_notice_queued", system)


def poster_notice_state(row: store.MatterRow, db: Session) -> str | None:
    """None (not owed), "due" (written, not yet delivered) or "sent"."""
    if row.poster_notice_id is None:
        return None
    notice = notices.get(db, row.poster_notice_id)
    return "sent" if notice is not None and notice.status == NoticeStatus.SENT.value else "due"


# ---------------------------------------------------------------- the 開示命令's steps


def objection_ends_at(row: store.MatterRow, settings: Settings) -> dt.datetime:
    return model.objection_suit_ends_at(
        row.served_at, model.parse_holidays(settings.disclosure_court_holidays)
    )


def record_objection_suit(
    matter_id: str, filed_at: dt.datetime, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """An objection suit (異議の訴え, Art. 14) was brought: the order is not final until it ends."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.DISCLOSURE_ORDER)
    if filed_at > at or filed_at < row.served_at:
        raise DomainError(
            code="bad_time",
            field="filed_at",
            ja="提起日は送達日から今日までの日にしてください。",
            en="The suit was brought between the service and today.",
        )
    row.suit_filed_at = filed_at
    record_step(db, row.id, at, "objection_suit_filed", by, filed_at=filed_at.isoformat())
    return row


def record_suit_result(
    matter_id: str, upheld: bool, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """The objection suit ended: the order upheld (it becomes final) or revoked (nothing is disclosed)."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.DISCLOSURE_ORDER)
    if row.suit_filed_at is None:
        raise Conflict(
            "no_suit", "異議の訴えは記録されていません。", "No objection suit was recorded.", "upheld"
        )
    row.suit_result = "upheld" if upheld else "revoked"
    record_step(db, row.id, at, "objection_suit_ended", by, result=row.suit_result)
    if not upheld:
        close(row, MatterStatus.ENDED, "order revoked", db=db, settings=settings, at=at, by=by)
    return row


def order_is_final(row: store.MatterRow, settings: Settings, now: dt.datetime) -> bool:
    """A 開示命令 may be complied with once no objection suit can be brought, or the suit upheld it."""
    if row.suit_filed_at is not None:
        return row.suit_result == "upheld"
    return now > objection_ends_at(row, settings)


# ---------------------------------------------------------------- decisions on a voluntary request


def _poster_reachable(
    row: store.MatterRow, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> bool:
    """Whether the logs hold an e-mail address for the poster (the hearing's channel)."""
    account = fields.Target.from_json(details_of(row, settings)["target"]).account_id
    holder = (
        logs.account_holder(db, account_id=account, actor=by, at=at, settings=settings) if account else None
    )
    return holder is not None and bool(holder.email)


def decide_request(
    matter_id: str, grant: bool, reason: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """Grant or refuse a voluntary request. Granting needs the poster heard first (Art. 6(1)): an answer,
    or a window that ended without one, unless the logs hold no way to contact the poster (the
    proviso; recorded as a step); a refusal releases the hold."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.REQUEST)
    problems: list[FieldProblem] = []
    reason = fields.text(reason, "reason", problems, required=not grant, ja="理由", en="reason")
    if problems:
        raise fields.invalid(problems)
    if row.granted is not None:
        raise Conflict(
            "already_decided", "この請求は判断済みです。", "This request was already decided.", "grant"
        )
    hearings = store.hearings_of(db, row.id)
    heard = any(h.status != HearingStatus.WAITING.value for h in hearings)
    waiting = any(h.status == HearingStatus.WAITING.value for h in hearings)
    if (
        grant
        and not heard
        and not waiting
        and not _poster_reachable(row, db=db, settings=settings, at=at, by=by)
    ):
        # Art. 6(1) proviso: no hearing is owed when the poster cannot be contacted.
        record_step(db, row.id, at, "poster_unreachable", by)
        heard = True
    if grant and not heard:
        raise Conflict(
            "hear_poster_first",
            "開示する前に発信者の意見を聴いてください（意見照会、法6条1項）。回答か回答期間の経過が必要です。",
            "Hear the poster before disclosing (opinion hearing, Art. 6(1)): an answer, or the end of the window, is needed.",
            "grant",
        )
    row.granted = "yes" if grant else "no"
    record_step(db, row.id, at, "request_granted" if grant else "request_refused", by, reason=reason)
    if not grant:
        close(row, MatterStatus.REFUSED, reason, db=db, settings=settings, at=at, by=by)
    return row


# ---------------------------------------------------------------- the 提供命令 chain


def identify_provider(
    matter_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.ProviderRow | None:
    """Find the access provider of the poster's IP address in the configured ranges (Art. 15(1)(i))."""
    may_manage(by)
    row = open_matter(matter_id, db, MatterKind.PROVISION_ORDER)
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
    if not target.ip:
        record_step(db, row.id, at, "no_ip_to_identify", by)
        return None
    ranges = [model.ProviderRange(r.provider_id, r.network) for r in store.ranges(db)]
    provider_id = model.provider_for(target.ip, ranges)
    if provider_id is None:
        record_step(db, row.id, at, "provider_not_found", by)
        return None
    provider = db.get(store.ProviderRow, provider_id)
    assert provider is not None
    row.provider_id = provider.id
    record_step(db, row.id, at, "provider_identified", by, provider=provider.name)
    return provider


def filing_ends_at(row: store.MatterRow) -> dt.datetime | None:
    return model.provision_filing_ends_at(row.name_told_at) if row.name_told_at else None


# ---------------------------------------------------------------- closing


def open_matter(matter_id: str, db: Session, kind: MatterKind | None = None) -> store.MatterRow:
    row = get_matter(db, matter_id)
    if kind is not None and row.kind != kind.value:
        label = model.KIND_LABELS[kind]
        raise Conflict(
            "wrong_kind",
            f"この操作は{label[0]}にだけできます。",
            f"This is done only on a {label[1].lower()}.",
            "kind",
        )
    if row.status != MatterStatus.OPEN.value:
        raise Conflict("closed", "この件は終了しています。", "This matter is closed.", "status")
    return row


def close(
    row: store.MatterRow,
    status: MatterStatus,
    reason: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> None:
    row.status, row.closed_at, row.close_reason = status.value, at, reason
    _release_hold(row, f"{status.value}: {reason}"[:200], db=db, settings=settings, at=at, by=by)
    record_step(db, row.id, at, f"closed_{status.value}", by, reason=reason)


def end_matter(
    matter_id: str, reason: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.MatterRow:
    """The case ended (a 消去禁止命令 runs until then) or the request or order was withdrawn: the hold goes."""
    may_manage(by)
    row = open_matter(matter_id, db)
    problems: list[FieldProblem] = []
    reason = fields.text(reason, "reason", problems, required=True, ja="終了の理由", en="reason it ends")
    if problems:
        raise fields.invalid(problems)
    close(row, MatterStatus.ENDED, reason, db=db, settings=settings, at=at, by=by)
    return row


def sweep(*, db: Session, settings: Settings, now: dt.datetime) -> list[str]:
    """The clock's job: provision orders whose requester did not file in two months lapse (their hold
    goes). Returns the numbers that lapsed."""
    lapsed = []
    for row in store.matters(db, open_only=True):
        if row.kind != MatterKind.PROVISION_ORDER.value or row.filing_notified_at is not None:
            continue
        ends = filing_ends_at(row)
        if ends is not None and now > ends:
            close(
                row,
                MatterStatus.LAPSED,
                "no filing within two months (Art. 15)",
                db=db,
                settings=settings,
                at=now,
                by=Actor.system(),
            )
            lapsed.append(row.number)
    return lapsed
