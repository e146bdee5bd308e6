"""Use cases of the window: file a request, record the poster, follow a case, watch the clock."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import format_jst
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.errors import Conflict, DomainError, Forbidden, NotFound
from mamori.core.operator import operator_profile, settings_profile
from mamori.core.text import refuse_control_characters
from mamori.notices import service as notices
from mamori.notices.compose import compose, operator_context
from mamori.notices.delivery import Settled
from mamori.notices.model import ART25_KINDS, NoticeKind, NoticeStatus
from mamori.requests import claims, model, store
from mamori.requests.model import ClockState, Receipt, Right, Stage

# The case's row type, for other capabilities' annotations; they change a case only through functions here.
CaseRecord = store.CaseRow


@dataclass(frozen=True)
class Requester:
    name: str
    address: str
    email: str
    phone: str
    relation: str = "self"  # self, parent (of a child), lawyer, representative
    on_behalf_of: str = ""  # the harmed person's name when someone files for them


@dataclass(frozen=True)
class EvidenceRef:
    sha256: str
    description: str = ""
    url: str = ""


@dataclass(frozen=True)
class RequestForm:
    """The deletion-request form (侵害情報の通知書, MISSION.md §4) as the window receives it."""

    service: str
    content_url: str
    content_text: str
    rights: list[str]
    reason: str
    requester: Requester
    show_name_to_poster: bool
    declaration_true: bool
    lang: str = "ja"
    evidence: list[EvidenceRef] = field(default_factory=list)
    source: str = "api"
    trusted_source: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Poster:
    account_id: str
    email: str
    name: str = ""


def sealer_for(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key)


def follow_url(settings: Settings, receipt_number: str, secret: str) -> str:
    return f"{settings.base_url.rstrip('/')}/status/{receipt_number}?key={secret}"


def rights_text(rights: list[str], lang: str) -> str:
    names_en = {
        Right.REPUTATION: "reputation (名誉権)",
        Right.HONOUR_FEELINGS: "feelings of honour (名誉感情)",
        Right.PRIVACY: "privacy (プライバシー)",
        Right.PORTRAIT: "portrait (肖像権)",
        Right.PEACE_OF_PRIVATE_LIFE: "peace of private life (私生活の平穏)",
        Right.BUSINESS: "business (営業権)",
        Right.OTHER: "other (その他)",
    }
    return "、".join(rights) if lang.startswith("ja") else ", ".join(names_en[Right(r)] for r in rights)


def _content_key(url: str) -> str:
    return hashlib.sha256(model.normalise_for_matching(url).rstrip("/").encode()).hexdigest()


def score_unscored(*, db: Session, settings: Settings, limit: int = 500) -> int:
    """Score cases the abuse detection has not read yet (worker job; keeps the model off the intake path).

    The Art. 22 window must answer even if the ranking model is slow or broken, so intake never waits
    for it; the queue shows unscored cases after scored ones until the worker catches up.
    """
    try:
        from mamori.detect import service as detect
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("mamori.detect"):
            return 0
        raise
    rows = list(
        db.scalars(
            select(store.CaseRow)
            .where(store.CaseRow.abuse_score.is_(None))
            .order_by(store.CaseRow.received_at)
            .limit(limit)
        )
    )
    if not rows:
        return 0
    texts = [case_texts(r, settings) for r in rows]
    for case, plain, result in zip(
        rows, texts, detect.score_texts([t.content_text for t in texts]), strict=True
    ):
        scores = {str(category): float(value) for category, value in result.scores.items()}
        case.abuse_score = scores.get("abuse", 0.0)
        flags = [str(flag) for flag in result.flags]
        # what the requester says happened (a stranger at their home, a threat) counts as much as the post
        flags += [flag for flag in model.danger_in_reason(plain.reason) if flag not in flags]
        case.abuse_flags = json.dumps(flags)
    return len(rows)


def file_request(
    form: RequestForm, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> Receipt:
    """Receive a removal request (Art. 22): record it, compute its deadline, queue the receipt mail.

    A retried submission with the same idempotency key and the same form returns the first receipt
    instead of a new case; the same key with another form is refused (it is somebody else's key, or a
    mistake), revealing nothing of the first.

    Written for a burst: one query reads what the request needs (service, earlier identical request,
    idempotent retry, operator), one statement writes the case, its `received` event, the audit entry and
    the receipt notice (on PostgreSQL; SQLite, in-process, runs them one after another), all in the
    caller's transaction.
    """
    sealer = sealer_for(settings)
    key_hash = body_hash = None
    if form.idempotency_key:
        key_hash, body_hash = _idempotency_hashes(form, settings)
    fingerprint = model.request_fingerprint(
        settings.secret_key, form.requester.email, form.content_url, form.rights, form.reason
    )
    context = store.intake_context(db, slug=form.service, fingerprint=fingerprint, idempotency_key=key_hash)
    earlier = (
        context.idempotent if context else None
    )  # a service is never removed: its requests' keys go with it
    if earlier is not None:
        if earlier.idempotency_body != body_hash:
            raise DomainError(
                code="idempotency_key_reused",
                status=422,
                field="Idempotency-Key",
                ja="この Idempotency-Key は別の内容の申出に使われています。申出ごとに新しいキーを使ってください。",
                en="This Idempotency-Key was used for a different request. Use a new key for each request.",
            )
        return _receipt(earlier, settings, sealer)
    if context is None:
        known = ", ".join(
            s.slug for s in db.scalars(select(store.ServiceRow).order_by(store.ServiceRow.slug))
        )
        raise DomainError(
            code="unknown_service",
            field="service",
            ja=f"サービス「{form.service}」は受け付けていません (受付中: {known})。",
            en=f"Unknown service '{form.service}' (accepted: {known}).",
        )
    if not form.declaration_true:
        raise DomainError(
            code="declaration_required",
            field="declaration_true",
            ja="記載内容が事実に相違ないことの宣誓が必要です。",
            en="You must declare that what you wrote is true.",
        )
    # 情プラ法 Art. 25(1), 施行規則 (numbering of 2025-04-01): one period for the whole deployment
    due = model.decision_due_at(at, settings.decision_period_days)
    secret = model.new_follow_secret()
    case_id = store.new_id()
    receipt_number = model.new_receipt_number(at)
    receipt = Receipt(
        case_id=case_id,
        receipt_number=receipt_number,
        received_at=at,
        decision_due_at=due,
        follow_url=follow_url(settings, receipt_number, secret),
        follow_secret=secret,
        repeat_of=context.earlier_identical_id,
    )
    case = {
        "id": case_id,
        "receipt_number": receipt.receipt_number,
        "idempotency_key": key_hash,
        "idempotency_body": body_hash,
        "service_id": context.service_id,
        "source": form.source,
        "trusted_source": form.trusted_source,
        "lang": form.lang,
        "content_url": form.content_url,
        "content_key": _content_key(form.content_url),
        "content_text_sealed": sealer.seal(form.content_text, bound_to=f"case:{case_id}:content_text"),
        "rights": json.dumps(form.rights, ensure_ascii=False),
        "reason_sealed": sealer.seal(form.reason, bound_to=f"case:{case_id}:reason"),
        "evidence": json.dumps([e.__dict__ for e in form.evidence], ensure_ascii=False),
        "requester_sealed": sealer.seal(form.requester.__dict__, bound_to=f"case:{case_id}:requester"),
        "requester_key": model.requester_key(settings.secret_key, form.requester.email),
        "fingerprint": fingerprint,
        "show_name_to_poster": form.show_name_to_poster,
        "declaration_true": form.declaration_true,
        "follow_secret_sealed": sealer.seal(secret, bound_to=f"case:{case_id}:follow"),
        "repeat_of": receipt.repeat_of,
        "election_candidate": False,
        "abuse_flags": "[]",
        "stage": Stage.RECEIVED.value,
        "period_days": settings.decision_period_days,
        "received_at": at,
        "decision_due_at": due,
    }
    subject, body = compose(
        NoticeKind.RECEIPT.value,
        form.lang,
        {
            **operator_context(context.operator or settings_profile(settings), form.lang),
            "receipt_number": receipt.receipt_number,
            "received_at_text": format_jst(at, form.lang),
            "due_text": format_jst(due, form.lang),
            "content_url": form.content_url,
            "rights_text": rights_text(form.rights, form.lang),
            "repeat_of_receipt": context.earlier_identical_receipt or "",
            "follow_url": receipt.follow_url,
            "follow_secret": secret,
        },
    )
    db.flush()  # whatever the caller added first lands first
    store.insert_together(
        db,
        store.case_row(case),
        store.event_row(
            case_id,
            at,
            "received",
            by.ident,
            source=form.source,
            due=due.isoformat(),
            repeat_of=receipt.repeat_of,
        ),
        audit.entry(
            at=at,
            actor=by,
            action="case.received",
            subject_type="case",
            subject_id=case_id,
            receipt_number=receipt.receipt_number,
        ),
        notices.queue_row(
            sealer=sealer,
            case_id=case_id,
            kind=NoticeKind.RECEIPT,
            recipient="requester",
            to_address=form.requester.email,
            lang=form.lang,
            subject=subject,
            body=body,
            dedupe_key=f"{case_id}:receipt",
            at=at,
        ),
    )
    return receipt


def _idempotency_hashes(form: RequestForm, settings: Settings) -> tuple[str, str]:
    """Keyed hashes of the client's key and of everything the form says (neither stored in clear)."""
    secret = settings.secret_key.encode()
    key = hmac.new(secret, b"idempotency-key:" + (form.idempotency_key or "").encode(), hashlib.sha256)
    submitted = {k: v for k, v in form.__dict__.items() if k not in ("idempotency_key", "source")}
    canonical = json.dumps(submitted, ensure_ascii=False, sort_keys=True, default=lambda o: o.__dict__)
    body = hmac.new(secret, b"idempotency-body:" + canonical.encode(), hashlib.sha256)
    return key.hexdigest(), body.hexdigest()


@dataclass(frozen=True)
class CaseTexts:
    """What the requester wrote: the content as posted and their reason (sealed at rest)."""

    content_text: str
    reason: str


def case_texts(case: store.CaseRow, settings: Settings) -> CaseTexts:
    sealer = sealer_for(settings)
    return CaseTexts(
        str(sealer.open(case.content_text_sealed, bound_to=f"case:{case.id}:content_text")),
        str(sealer.open(case.reason_sealed, bound_to=f"case:{case.id}:reason")),
    )


def _receipt(case: store.CaseRow, settings: Settings, sealer: Sealer) -> Receipt:
    secret = str(sealer.open(case.follow_secret_sealed, bound_to=f"case:{case.id}:follow"))
    return Receipt(
        case_id=case.id,
        receipt_number=case.receipt_number,
        received_at=case.received_at,
        decision_due_at=case.decision_due_at,
        follow_url=follow_url(settings, case.receipt_number, secret),
        follow_secret=secret,
        repeat_of=case.repeat_of,
    )


def record_event(db: Session, case_id: str, at: dt.datetime, kind: str, actor: str, **detail: object) -> None:
    """A stage or action of a case, with its own timestamp (the case's timeline)."""
    store.add_event(db, case_id, at, kind, actor, **detail)


def record_notice_outcome(db: Session, settled: Settled) -> None:
    """The case learns that one of its notices was delivered or failed for good: the timeline, and
    the moment the requester was first *told* (情プラ法 Art. 25(1): only a delivered notice counts)."""
    if settled.case_id is None:
        return
    if settled.status is NoticeStatus.SENT and settled.kind in {k.value for k in ART25_KINDS}:
        case = db.get(store.CaseRow, settled.case_id)
        if case is not None:
            if case.requester_told_at is None:
                case.requester_told_at = settled.at
            if settled.kind == NoticeKind.REQUESTER_DECISION.value and case.decision_told_at is None:
                case.decision_told_at = settled.at
    if settled.status is NoticeStatus.SENT:
        store.add_event(
            db,
            settled.case_id,
            settled.at,
            "notice_sent",
            settled.by,
            notice_kind=settled.kind,
            notice=settled.notice_id,
        )
    elif settled.status is NoticeStatus.FAILED:
        store.add_event(
            db,
            settled.case_id,
            settled.at,
            "notice_failed",
            settled.by,
            notice_kind=settled.kind,
            notice=settled.notice_id,
            error=settled.error,
        )


def timeline(db: Session, case_id: str) -> list[store.CaseEventRow]:
    """Every event of a case, oldest first."""
    return store.events(db, case_id)


def case_by_receipt(db: Session, receipt_number: str) -> store.CaseRow | None:
    return store.case_by_receipt(db, receipt_number)


def list_services(db: Session) -> list[store.ServiceRow]:
    """The services whose removal requests this window receives, by slug."""
    return list(db.scalars(select(store.ServiceRow).order_by(store.ServiceRow.slug)))


def find_case(db: Session, case_id: str) -> store.CaseRow | None:
    return db.get(store.CaseRow, case_id)


def get_case_row(db: Session, case_id: str) -> store.CaseRow:
    case = db.get(store.CaseRow, case_id)
    if case is None:
        raise NotFound("case", case_id)
    return case


def _read_personal(
    case: store.CaseRow,
    whose: str,
    sealed: str,
    *,
    settings: Settings,
    db: Session,
    at: dt.datetime,
    by: Actor,
    purpose: str,
) -> dict[str, str]:
    """Open one sealed set of personal details and audit the read with its purpose."""
    data = sealer_for(settings).open(sealed, bound_to=f"case:{case.id}:{whose}")
    audit.record(
        db,
        at=at,
        actor=by,
        action="personal_data.read",
        subject_type="case",
        subject_id=case.id,
        personal_data=True,
        whose=whose,
        purpose=purpose,
    )
    return dict(data)


def requester_of(
    case: store.CaseRow, *, settings: Settings, db: Session, at: dt.datetime, by: Actor, purpose: str
) -> Requester:
    """The requester's details, decrypted; every read is audited with its purpose."""
    return Requester(
        **_read_personal(
            case, "requester", case.requester_sealed, settings=settings, db=db, at=at, by=by, purpose=purpose
        )
    )


def poster_of(
    case: store.CaseRow, *, settings: Settings, db: Session, at: dt.datetime, by: Actor, purpose: str
) -> Poster | None:
    """The poster's contact (sender data, encrypted at rest); every read is audited with its purpose."""
    if case.poster_sealed is None:
        return None
    return Poster(
        **_read_personal(
            case, "poster", case.poster_sealed, settings=settings, db=db, at=at, by=by, purpose=purpose
        )
    )


def poster_secret(case: store.CaseRow, settings: Settings) -> str | None:
    if case.poster_secret_sealed is None:
        return None
    return str(sealer_for(settings).open(case.poster_secret_sealed, bound_to=f"case:{case.id}:poster-key"))


def record_poster(
    case_id: str, poster: Poster, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> None:
    """Attach the poster (from the platform's own records) so Art. 27 notices can reach them.
    Only on an open case, by someone who may edit cases, and not while another specialist holds it."""
    if not by.may("case.edit"):
        raise Forbidden()
    for field_name, value, limit in (
        ("account_id", poster.account_id, 200),
        ("email", poster.email, 320),
        ("name", poster.name, 200),
    ):
        refuse_control_characters(value, field=field_name, single_line=True)
        if len(value) > limit:
            raise DomainError(
                code="too_long",
                field=field_name,
                ja=f"{limit}文字以内にしてください。",
                en=f"At most {limit} characters.",
            )
    case = get_case_row(db, case_id)
    if case.stage not in [s.value for s in model.OPEN_STAGES]:
        raise Conflict("case_closed", "この申出は判断済みです。", "This case is not open.", "case")
    claims.act_on(case, db=db, now=at, by=by, settings=settings)
    sealer = sealer_for(settings)
    case.poster_key = poster.account_id
    case.poster_sealed = sealer.seal(poster.__dict__, bound_to=f"case:{case.id}:poster")
    if case.poster_secret_sealed is None:
        case.poster_secret_sealed = sealer.seal(
            model.new_follow_secret(), bound_to=f"case:{case.id}:poster-key"
        )
    store.add_event(db, case.id, at, "poster_recorded", by.ident, account_id=poster.account_id)
    audit.record(
        db,
        at=at,
        actor=by,
        action="case.poster_recorded",
        subject_type="case",
        subject_id=case.id,
        personal_data=True,
    )


def mark_decided(case: store.CaseRow, at: dt.datetime) -> None:
    case.stage = Stage.DECIDED.value
    case.decided_at = at


def mark_extended(case: store.CaseRow, at: dt.datetime) -> None:
    case.stage = Stage.EXTENDED.value
    if case.extended_at is None:
        case.extended_at = at


def mark_appealed(case: store.CaseRow) -> None:
    """The case opens again for the appeal ruling; whoever held it lets go."""
    case.stage = Stage.APPEALED.value
    case.assignee, case.claimed_until = None, None


def set_inquiry_state(case: store.CaseRow, state: str, ends_at: dt.datetime | None = None) -> None:
    """The sender inquiry's state, kept on the case so that deciding (below the inquiry in the layers)
    applies Art. 3(2): waiting, consented, objected or lapsed; and when the poster's window ends."""
    case.inquiry_state = state
    if ends_at is not None:
        case.inquiry_window_ends_at = ends_at


def mark_requester_told(case: store.CaseRow, at: dt.datetime) -> None:
    """The first Art. 25 notice (decision or interim) to the requester was queued."""
    if case.first_requester_notice_at is None:
        case.first_requester_notice_at = at


def other_cases_same_poster(db: Session, case: store.CaseRow) -> list[str]:
    """Ids of the other cases about posts by the same poster (the Art. 27 proviso's candidates)."""
    if case.poster_key is None:
        return []
    stmt = select(store.CaseRow.id).where(
        store.CaseRow.poster_key == case.poster_key, store.CaseRow.id != case.id
    )
    return list(db.scalars(stmt))


def cases_by_ids(db: Session, case_ids: list[str]) -> dict[str, store.CaseRow]:
    if not case_ids:
        return {}
    return {r.id: r for r in db.scalars(select(store.CaseRow).where(store.CaseRow.id.in_(case_ids)))}


def related_cases(case: store.CaseRow, *, db: Session) -> dict[str, list[store.CaseRow]]:
    """Other cases about the same content, or from the same requester (keyed hashes, no clear text)."""
    same_content = db.scalars(
        select(store.CaseRow).where(
            store.CaseRow.content_key == case.content_key, store.CaseRow.id != case.id
        )
    ).all()
    same_requester = db.scalars(
        select(store.CaseRow).where(
            store.CaseRow.requester_key == case.requester_key, store.CaseRow.id != case.id
        )
    ).all()
    return {"content": list(same_content), "requester": list(same_requester)}


def start_review(case_id: str, *, db: Session, at: dt.datetime, by: Actor) -> None:
    """Art. 23: investigation begins (the first time only; the timestamp is kept)."""
    case = get_case_row(db, case_id)
    if case.stage == Stage.RECEIVED.value:
        case.stage = Stage.IN_REVIEW.value
    if case.review_started_at is None:
        case.review_started_at = at
        store.add_event(db, case.id, at, "review_started", by.ident)
        audit.record(
            db, at=at, actor=by, action="case.review_started", subject_type="case", subject_id=case.id
        )


def check_follow_secret(case: store.CaseRow, secret: str, settings: Settings) -> bool:
    real = str(sealer_for(settings).open(case.follow_secret_sealed, bound_to=f"case:{case.id}:follow"))
    return hmac.compare_digest(real.encode(), secret.encode())


@dataclass(frozen=True)
class DueItem:
    case_id: str
    receipt_number: str
    service_id: str
    stage: str
    received_at: dt.datetime
    decision_due_at: dt.datetime
    state: ClockState
    abuse_score: float | None
    final_due_at: dt.datetime | None = None


def final_due_of(case: store.CaseRow, settings: Settings) -> dt.datetime | None:
    """After an interim notice was delivered, the target for the decision owed "without delay"."""
    if case.requester_told_at is None or case.decision_told_at is not None or case.decided_at is not None:
        return None
    if case.stage not in [s.value for s in model.OPEN_STAGES] or case.stage == Stage.APPEALED.value:
        return None
    return model.final_decision_due_at(case.requester_told_at, settings.final_decision_target_days)


def clock_of(
    case: store.CaseRow,
    *,
    db: Session,
    now: dt.datetime,
    settings: Settings,
    undelivered: bool | None = None,
) -> ClockState:
    """Where the case stands against the Art. 25 clock (see `model.clock_state`); `undelivered` may be
    given by a caller that looked it up for many cases at once."""
    if undelivered is None:
        undelivered = case.id in notices.undelivered(db, [case.id], ART25_KINDS)
    return model.clock_state(
        now=now,
        due_at=case.decision_due_at,
        told_at=case.requester_told_at,
        due_soon=dt.timedelta(hours=settings.due_soon_hours),
        undelivered=undelivered,
        final_due_at=final_due_of(case, settings),
        notice_owed=case.repeat_of is None,
    )


def open_cases_by_clock(*, db: Session, now: dt.datetime, settings: Settings) -> list[DueItem]:
    """Open cases in the order a queue must show: overdue, undelivered, late final decisions, due soonest."""
    rows = list(
        db.scalars(
            select(store.CaseRow)
            .where(store.CaseRow.stage.in_([s.value for s in model.OPEN_STAGES]))
            .order_by(store.CaseRow.decision_due_at)
        )
    )
    waiting = notices.undelivered(db, [r.id for r in rows if r.requester_told_at is None], ART25_KINDS)
    items = [
        DueItem(
            r.id,
            r.receipt_number,
            r.service_id,
            r.stage,
            r.received_at,
            r.decision_due_at,
            clock_of(r, db=db, now=now, settings=settings, undelivered=r.id in waiting),
            r.abuse_score,
            final_due_of(r, settings),
        )
        for r in rows
    ]
    return sorted(items, key=lambda i: (model.QUEUE_RANK[i.state], i.decision_due_at))


def sweep_deadlines(*, db: Session, now: dt.datetime, settings: Settings) -> list[str]:
    """Mark every case whose Art. 25 period ran out with nothing delivered to the requester, and alert the
    operator once per case; alert too, once, when a notice is written but not delivered (failed, or still
    pending when the deadline is near)."""
    sealer = sealer_for(settings)
    _alert_undelivered(db=db, now=now, settings=settings, sealer=sealer)
    rows = db.scalars(
        select(store.CaseRow).where(
            store.CaseRow.requester_told_at.is_(None),
            store.CaseRow.decision_due_at < now,
            store.CaseRow.deadline_missed_at.is_(None),
            store.CaseRow.repeat_of.is_(None),
        )
    )
    marked = []
    for case in rows:
        case.deadline_missed_at = now
        store.add_event(db, case.id, now, "deadline_missed", "system", due=case.decision_due_at.isoformat())
        audit.record(
            db, at=now, actor="system", action="case.deadline_missed", subject_type="case", subject_id=case.id
        )
        _alert_operator(
            case,
            NoticeKind.DEADLINE_ALERT,
            f"{case.id}:deadline_alert",
            {"received_at_text": format_jst(case.received_at)},
            db=db,
            now=now,
            settings=settings,
            sealer=sealer,
        )
        marked.append(case.receipt_number)
    return marked


def _alert_operator(
    case: store.CaseRow,
    kind: NoticeKind,
    key: str,
    details: dict[str, str],
    *,
    db: Session,
    now: dt.datetime,
    settings: Settings,
    sealer: Sealer,
) -> None:
    """A mail to the team that answers for the Art. 25 periods (MAMORI_OPERATOR_EMAIL), in Japanese."""
    subject, body = compose(
        kind.value,
        "ja",
        {
            "platform": operator_profile(db, settings).name_ja,
            "receipt_number": case.receipt_number,
            "due_text": format_jst(case.decision_due_at),
            "case_url": f"{settings.base_url.rstrip('/')}/workspace/cases/{case.id}",
            **details,
        },
    )
    notices.queue(
        db,
        sealer=sealer,
        case_id=case.id,
        kind=kind,
        recipient="operator",
        to_address=settings.operator_email,
        lang="ja",
        subject=subject,
        body=body,
        dedupe_key=key,
        at=now,
    )


def _alert_undelivered(*, db: Session, now: dt.datetime, settings: Settings, sealer: Sealer) -> None:
    open_untold = list(
        db.scalars(
            select(store.CaseRow).where(
                store.CaseRow.requester_told_at.is_(None),
                store.CaseRow.repeat_of.is_(None),
                store.CaseRow.first_requester_notice_at.is_not(None),
            )
        )
    )
    waiting = notices.undelivered(db, [c.id for c in open_untold], ART25_KINDS)
    soon = dt.timedelta(hours=settings.due_soon_hours)
    for case in open_untold:
        row = waiting.get(case.id)
        if row is None:
            continue
        if row.status != NoticeStatus.FAILED.value and case.decision_due_at - now > soon:
            continue  # pending, with time to spare: the outbox is still trying
        key = f"{case.id}:undelivered_alert:{row.id}"
        if notices.exists(db, key):
            continue
        _alert_operator(
            case,
            NoticeKind.UNDELIVERED_ALERT,
            key,
            {"notice_kind": row.kind, "notice_status": row.status, "last_error": row.last_error or ""},
            db=db,
            now=now,
            settings=settings,
            sealer=sealer,
        )
        store.add_event(db, case.id, now, "notice_undelivered", "system", notice=row.id, status=row.status)


def status_for_requester(
    case: store.CaseRow, *, db: Session, now: dt.datetime, settings: Settings
) -> dict[str, object]:
    """What the requester sees on the status page: stage, times, and the notices addressed to them."""
    sealer = sealer_for(settings)
    told = [n for n in notices.for_case(db, case.id) if n.recipient == "requester"]
    return {
        "receipt_number": case.receipt_number,
        "stage": case.stage,
        "clock": clock_of(case, db=db, now=now, settings=settings).value,
        "received_at": case.received_at.astimezone(model.JST).isoformat(),
        "decision_due_at": case.decision_due_at.astimezone(model.JST).isoformat(),
        "decided_at": case.decided_at.astimezone(model.JST).isoformat() if case.decided_at else None,
        "content_url": case.content_url,
        "rights": case.rights_list,
        "notices": [
            {
                "kind": n.kind,
                "status": n.status,
                "subject": n.subject,
                "body": notices.body_of(n, sealer),
                "skip_reason": n.skip_reason,
                "created_at": n.created_at.astimezone(model.JST).isoformat(),
                "sent_at": n.sent_at.astimezone(model.JST).isoformat() if n.sent_at else None,
            }
            for n in told
        ],
    }
