"""Use cases of deciding: record a decision or an extension ground, and queue what each side is told.

The decision and its notices are written in one transaction (the outbox): both land, or neither.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import format_jst
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError, Forbidden
from mamori.core.operator import OperatorProfile, operator_profile
from mamori.core.text import refuse_control_characters
from mamori.criteria import service as criteria
from mamori.criteria.model import CitationError, Clause, Measure, check_citation
from mamori.decisions import model, store
from mamori.decisions.model import GROUND_TEXT, MIN_REASON_LENGTH, ExtensionGround
from mamori.notices import service as notices
from mamori.notices.compose import compose, operator_context
from mamori.notices.model import NoticeKind
from mamori.requests import claims
from mamori.requests import service as requests
from mamori.requests.model import OPEN_STAGES, Stage
from mamori.requests.service import CaseRecord as CaseRow

add_event = requests.record_event

MEASURE_TEXT = {
    Measure.REMOVE: ("投稿の削除", "removal of the post"),
    Measure.RESTRICT_VISIBILITY: ("投稿の閲覧制限", "restriction of who can see the post"),
    Measure.SUSPEND_ACCOUNT: ("アカウントの停止", "suspension of the account"),
    Measure.NO_ACTION: ("措置なし", "no action"),
}
REPEAT_SKIP = (
    "同一の申出者による同一内容の申出 (情プラ法25条1項ただし書) のため通知不要 / "
    "identical repeat request from the same requester: no notice owed (Art. 25(1) proviso)"
)
POSTER_TOLD_SKIP = (
    "同一発信者に類似の情報について既に通知済み (情プラ法27条ただし書) / "
    "the poster was already told for similar content (Art. 27 proviso)"
)


# The decision's row type, for other capabilities' annotations.
DecisionRecord = store.DecisionRow


@dataclass(frozen=True)
class DecisionInput:
    measure: Measure
    criteria_version: str
    clause_code: str | None
    reason: str
    # Art. 3(2)(i): why removing is justified while the poster's inquiry window is open (or they objected)
    liability_ground: str | None = None


@dataclass(frozen=True)
class DecisionOutcome:
    decision_id: str
    requester_notice: str  # queued or skipped
    poster_notice: str | None  # queued, skipped, or None when no measure was taken


def decisions_for(db: Session, case_id: str) -> list[store.DecisionRow]:
    """Every decision on a case, oldest first (an appeal's ruling comes after the decision it reviews)."""
    return store.decisions_for(db, case_id)


def extensions_for(db: Session, case_id: str) -> list[store.ExtensionRow]:
    return store.extensions_for(db, case_id)


def get_decision(db: Session, decision_id: str) -> store.DecisionRow | None:
    return db.get(store.DecisionRow, decision_id)


def latest(case_id: str, *, db: Session) -> store.DecisionRow | None:
    """The decision in force for a case (the last one: an appeal's ruling supersedes the first)."""
    rows = store.decisions_for(db, case_id)
    return rows[-1] if rows else None


def _open_case(
    db: Session, case_id: str, *, by: Actor, at: dt.datetime, settings: Settings, on_appeal: bool = False
) -> CaseRow:
    """The case an act is about, once the rules of who may act on it now allow it."""
    if not by.may("case.decide"):
        raise Forbidden()
    case = requests.get_case_row(db, case_id)
    if case.stage not in [s.value for s in OPEN_STAGES]:
        raise Conflict(
            "case_closed", "この申出は既に判断済みです。", "This request has already been decided.", "case"
        )
    if case.stage == Stage.APPEALED.value and not on_appeal:
        raise Conflict(
            "under_appeal",
            "この申出には異議が申し立てられています。異議の判断 (元の判断をした人とは別の専門員) でのみ決着します。",
            "This case is under appeal: only the appeal ruling, by a specialist other than the one who "
            "decided, settles it.",
            "case",
        )
    return case


# 情プラ法 Art. 3(2) (numbering of 2025-04-01): a removal frees the platform from liability to the poster
# if it had reasonable grounds to believe the rights were infringed (i), or if the poster, asked, did not
# object within 7 days of receiving the inquiry (ii). While that window is open, or once the poster
# objected, (ii) cannot be relied on: a removal then needs (i), written down.
INQUIRY_STATES_NEEDING_GROUND = ("waiting", "objected")


def _liability_ground(case: CaseRow, decision: DecisionInput) -> str | None:
    ground = (decision.liability_ground or "").strip()
    if not decision.measure.is_removal:
        return ground or None
    if case.inquiry_state in INQUIRY_STATES_NEEDING_GROUND and len(ground) < MIN_REASON_LENGTH:
        waiting = case.inquiry_state == "waiting"
        raise DomainError(
            code="liability_ground_required",
            field="liability_ground",
            ja=("発信者への照会の回答期間中です。" if waiting else "発信者が削除に同意していません。")
            + f"削除するには、権利が侵害されていると信じるに足りる相当の理由 (3条2項1号) を{MIN_REASON_LENGTH}文字以上で記録してください。",
            en=(
                "The poster's inquiry window is still open. "
                if waiting
                else "The poster objected to the removal. "
            )
            + "To remove now, record the reasonable grounds to believe the rights are infringed "
            f"(Art. 3(2)(i)), at least {MIN_REASON_LENGTH} characters.",
        )
    return refuse_control_characters(ground, field="liability_ground", single_line=False) or None


def _check_reason(reason: str) -> str:
    reason = refuse_control_characters(reason.strip(), field="reason", single_line=False)
    if len(reason) < MIN_REASON_LENGTH:
        raise DomainError(
            code="reason_required",
            field="reason",
            ja=f"理由を{MIN_REASON_LENGTH}文字以上で具体的に書いてください (通知に記載されます)。",
            en=f"Write the reason concretely, at least {MIN_REASON_LENGTH} characters "
            "(it goes into the notices).",
        )
    return reason


def decide(
    case_id: str,
    decision: DecisionInput,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> DecisionOutcome:
    """Record a decision citing a published clause; queue the Art. 25 and 27 notices (or record why not).

    Refused for someone without `case.decide`, on a case another specialist holds, on a closed case,
    and on a case under appeal (only `decide_on_appeal` settles that).
    """
    case = _open_case(db, case_id, by=by, at=at, settings=settings)
    claims.act_on(case, db=db, now=at, by=by, settings=settings)
    return _decide(case, decision, db=db, settings=settings, at=at, by=by, basis="review")


def decide_on_appeal(
    case_id: str,
    decision: DecisionInput,
    side: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> DecisionOutcome:
    """The ruling on an objection: a case under appeal, decided again by someone other than the
    person whose decision is under appeal (called by `appeals.service.rule`)."""
    case = _open_case(db, case_id, by=by, at=at, settings=settings, on_appeal=True)
    if case.stage != Stage.APPEALED.value:
        raise Conflict(
            "no_open_appeal", "未決の異議はありません。", "There is no open appeal on this case.", "case"
        )
    appealed = latest(case.id, db=db)
    if appealed is None or appealed.decided_by == by.ident:
        raise DomainError(
            code="same_specialist",
            status=403,
            field="case",
            ja="異議は元の判断をした人とは別の専門員が判断します。",
            en="An appeal must be decided by a specialist other than the one who decided.",
        )
    claims.act_on(case, db=db, now=at, by=by, settings=settings)
    return _decide(case, decision, db=db, settings=settings, at=at, by=by, basis=f"appeal_by_{side}")


def _decide(
    case: CaseRow,
    decision: DecisionInput,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
    basis: str,
) -> DecisionOutcome:
    reason = _check_reason(decision.reason)
    version = criteria.get(decision.criteria_version, db=db)
    try:
        clause = check_citation(
            version, decision.clause_code, decision.measure, at, criteria.in_force(db=db, at=at)
        )
    except CitationError as exc:
        raise DomainError(code=exc.code, ja=exc.ja, en=exc.en, field=exc.field) from exc
    liability_ground = _liability_ground(case, decision)
    if decision.measure.is_removal and case.poster_sealed is None:
        raise DomainError(
            code="poster_unknown",
            field="poster",
            ja="発信者の連絡先が未登録です。措置の通知 (27条) のため、先に登録してください。",
            en="Record the poster's contact first: the Art. 27 notice must reach them.",
        )
    previous = store.decisions_for(db, case.id)
    row = store.DecisionRow(
        case_id=case.id,
        measure=decision.measure.value,
        criteria_version_id=version.id,
        clause_code=decision.clause_code,
        reason=reason,
        decided_at=at,
        decided_by=by.ident,
        supersedes=previous[-1].id if previous else None,
        basis=basis,
        liability_ground=liability_ground,
    )
    db.add(row)
    db.flush()
    requests.start_review(case.id, db=db, at=at, by=by)
    requests.mark_decided(case, at)
    claims.release_claims_on(case.id, db=db)
    add_event(
        db,
        case.id,
        at,
        "decided",
        by.ident,
        measure=decision.measure.value,
        criteria_version=version.version,
        clause=decision.clause_code,
    )
    audit.record(
        db,
        at=at,
        actor=by,
        action="case.decided",
        subject_type="case",
        subject_id=case.id,
        decision_id=row.id,
        measure=decision.measure.value,
        clause=decision.clause_code,
    )
    context = _notice_context(case, row, version.version, clause, settings, operator_profile(db, settings))
    requester_state = _requester_decision_notice(case, row, context, db=db, settings=settings, at=at, by=by)
    poster_state = None
    if decision.measure.is_removal:
        poster_state = _poster_notice(case, row, context, db=db, settings=settings, at=at, by=by)
    return DecisionOutcome(row.id, requester_state, poster_state)


def _notice_context(
    case: CaseRow,
    row: store.DecisionRow,
    version: str,
    clause: Clause | None,
    settings: Settings,
    operator: OperatorProfile,
) -> dict[str, object]:
    base = settings.base_url.rstrip("/")
    return {
        "operator": operator,
        **operator_context(operator, case.lang),
        "receipt_number": case.receipt_number,
        "content_url": case.content_url,
        "reason": row.reason,
        "removed": Measure(row.measure).is_removal,
        "criteria_version": version,
        "clause_code": clause.code if clause else "",
        "clause_title": (clause.title_ja if clause else ""),
        "criteria_url": f"{base}/criteria",
        "basis": row.basis,
        "appeal_filing_days": settings.appeal_filing_days,
    }


def _localised(
    context: dict[str, object], case: CaseRow, row: store.DecisionRow, clause_title_en: str, lang: str
) -> dict[str, object]:
    ja, en = MEASURE_TEXT[Measure(row.measure)]
    operator = context["operator"]
    assert isinstance(operator, OperatorProfile)
    return {
        **context,
        **operator_context(operator, lang),
        "measure_text": en if lang == "en" else ja,
        "decided_at_text": format_jst(row.decided_at, lang),
        "received_at_text": format_jst(case.received_at, lang),
        "clause_title": clause_title_en if lang == "en" else context["clause_title"],
    }


def _requester_decision_notice(
    case: CaseRow,
    row: store.DecisionRow,
    context: dict[str, object],
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> str:
    clause_en = _clause_title_en(db, row)
    return _tell_requester(
        case,
        NoticeKind.REQUESTER_DECISION,
        f"{case.id}:requester_decision:{row.id}",
        _localised(context, case, row, clause_en, case.lang),
        db=db,
        settings=settings,
        at=at,
        by=by,
        ref=row.id,
    )


def _tell_requester(
    case: CaseRow,
    kind: NoticeKind,
    key: str,
    context: dict[str, object],
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
    ref: str | None = None,
) -> str:
    """Queue an Art. 25 notice to the requester, or record that none is owed: an identical repeat of a
    request whose decision was delivered (Art. 25(1) proviso), relying on that delivered notice."""
    answered = (
        notices.delivered(db, [case.repeat_of], NoticeKind.REQUESTER_DECISION) if case.repeat_of else []
    )
    if answered:
        notices.record_skipped(
            db,
            case_id=case.id,
            kind=kind,
            recipient="requester",
            dedupe_key=key,
            reason=REPEAT_SKIP,
            at=at,
            relies_on=answered[0].id,
            ref=ref,
        )
        add_event(
            db,
            case.id,
            at,
            "notice_skipped",
            "system",
            notice_kind=kind.value,
            why="repeat",
            relies_on=answered[0].id,
        )
        return "skipped"
    requester = requests.requester_of(
        case, settings=settings, db=db, at=at, by=by, purpose=f"art25_{kind.value}"
    )
    sealer = requests.sealer_for(settings)
    secret = str(sealer.open(case.follow_secret_sealed, bound_to=f"case:{case.id}:follow"))
    subject, body = compose(
        kind.value,
        case.lang,
        {**context, "follow_url": requests.follow_url(settings, case.receipt_number, secret)},
    )
    notices.queue(
        db,
        sealer=sealer,
        case_id=case.id,
        kind=kind,
        recipient="requester",
        to_address=requester.email,
        lang=case.lang,
        subject=subject,
        body=body,
        dedupe_key=key,
        at=at,
        ref=ref,
    )
    requests.mark_requester_told(case, at)
    add_event(db, case.id, at, "notice_queued", "system", notice_kind=kind.value)
    return "queued"


def _clause_title_en(db: Session, row: store.DecisionRow) -> str:
    if not row.clause_code:
        return ""
    return criteria.clause_title_en(db, row.criteria_version_id, row.clause_code)


def clause_title_en(db: Session, row: store.DecisionRow) -> str:
    """The English title of the clause a decision applied (empty when it applied none)."""
    return _clause_title_en(db, row)


def clause_title_ja(db: Session, row: store.DecisionRow) -> str:
    """The Japanese title of the clause a decision applied (empty when it applied none)."""
    if not row.clause_code:
        return ""
    return criteria.clause_title_ja(db, row.criteria_version_id, row.clause_code)


def _poster_already_told(
    db: Session, case: CaseRow, row: store.DecisionRow, settings: Settings
) -> str | None:
    """Art. 27 proviso: the id of a delivered measure notice to this poster for similar content, under
    the same clause and for a similar reason (`model.already_told`); None when a notice is owed."""
    others = requests.other_cases_same_poster(db, case)
    if not others:
        return None
    text = requests.case_texts(case, settings).content_text
    for notice in notices.delivered(db, others, NoticeKind.POSTER_MEASURE):
        earlier = get_decision(db, notice.ref) if notice.ref else None
        if earlier is None or notice.case_id is None:
            continue
        earlier_case = requests.get_case_row(db, notice.case_id)
        if model.already_told(
            text=text,
            clause_code=row.clause_code,
            reason=row.reason,
            earlier_text=requests.case_texts(earlier_case, settings).content_text,
            earlier_clause_code=earlier.clause_code,
            earlier_reason=earlier.reason,
            threshold=settings.poster_similarity_threshold,
        ):
            return notice.id
    return None


def _poster_notice(
    case: CaseRow,
    row: store.DecisionRow,
    context: dict[str, object],
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> str:
    key = f"{case.id}:poster_measure:{row.id}"
    relied_on = _poster_already_told(db, case, row, settings)
    if relied_on is not None:
        notices.record_skipped(
            db,
            case_id=case.id,
            kind=NoticeKind.POSTER_MEASURE,
            recipient="poster",
            dedupe_key=key,
            reason=POSTER_TOLD_SKIP,
            at=at,
            relies_on=relied_on,
            ref=row.id,
        )
        add_event(
            db,
            case.id,
            at,
            "notice_skipped",
            "system",
            notice_kind="poster_measure",
            why="already_told",
            relies_on=relied_on,
        )
        return "skipped"
    poster = requests.poster_of(case, settings=settings, db=db, at=at, by=by, purpose="art27_notice")
    assert poster is not None  # checked in decide()
    requester_name = ""
    if case.show_name_to_poster:
        requester_name = requests.requester_of(
            case, settings=settings, db=db, at=at, by=by, purpose="art27_notice_name_shown"
        ).name
    base = settings.base_url.rstrip("/")
    key_for_poster = requests.poster_secret(case, settings) or ""
    clause_en = _clause_title_en(db, row)
    ctx_ja = _localised(context, case, row, clause_en, "ja")
    ctx_ja.update(requester_name=requester_name, appeal_url=f"{base}/poster/{case.id}?key={key_for_poster}")
    # The bilingual mail renders each half with its own language's measure and clause title.
    subject_ja, body_ja = compose(NoticeKind.POSTER_MEASURE.value, "ja", ctx_ja)
    ctx_en = {**ctx_ja, **_localised(context, case, row, clause_en, "en")}
    subject_en, body_en = compose(NoticeKind.POSTER_MEASURE.value, "en", ctx_en)
    subject, body = f"{subject_ja} / {subject_en}", f"{body_ja}\n――――― English ―――――\n\n{body_en}"
    notices.queue(
        db,
        sealer=requests.sealer_for(settings),
        case_id=case.id,
        kind=NoticeKind.POSTER_MEASURE,
        recipient="poster",
        to_address=poster.email,
        lang="ja",
        subject=subject,
        body=body,
        dedupe_key=key,
        at=at,
        ref=row.id,
    )
    add_event(db, case.id, at, "notice_queued", "system", notice_kind="poster_measure")
    return "queued"


def extend(
    case_id: str,
    ground: ExtensionGround,
    reason: str,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> str:
    """Record an extension ground and queue the Art. 25(1) proviso interim notice to the requester."""
    case = _open_case(db, case_id, by=by, at=at, settings=settings)
    claims.act_on(case, db=db, now=at, by=by, settings=settings)
    reason = refuse_control_characters(reason.strip(), field="reason", single_line=False)
    if ground.needs_reason:
        reason = _check_reason(reason)
    row = store.ExtensionRow(
        case_id=case.id, ground=ground.value, reason=reason, recorded_at=at, recorded_by=by.ident
    )
    db.add(row)
    db.flush()
    requests.start_review(case.id, db=db, at=at, by=by)
    requests.mark_extended(case, at)
    late = at > case.decision_due_at
    add_event(db, case.id, at, "extended", by.ident, ground=ground.value, late=late)
    audit.record(
        db,
        at=at,
        actor=by,
        action="case.extended",
        subject_type="case",
        subject_id=case.id,
        ground=ground.value,
        late=late,
    )
    ja, en = GROUND_TEXT[ground]
    return _tell_requester(
        case,
        NoticeKind.REQUESTER_INTERIM,
        f"{case.id}:requester_interim:{row.id}",
        {
            **operator_context(operator_profile(db, settings), case.lang),
            "receipt_number": case.receipt_number,
            "received_at_text": format_jst(case.received_at, case.lang),
            "content_url": case.content_url,
            "ground_text": en if case.lang == "en" else ja,
            "ground": ground.value,  # the plain-Japanese summary says the ground in its own words
            "ground_reason": reason if ground.needs_reason else "",
        },
        db=db,
        settings=settings,
        at=at,
        by=by,
        ref=row.id,
    )


def preview(
    case_id: str,
    decision: DecisionInput,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
    appeal_side: str | None = None,
) -> list[tuple[str, str, str]]:
    """The notices a decision (or, with `appeal_side`, the ruling on that side's objection) would send,
    as (recipient, subject, body), without writing anything."""
    before = notices.ids_for_case(db, case_id)
    nested = db.begin_nested()
    try:
        if appeal_side is None:
            decide(case_id, decision, db=db, settings=settings, at=at, by=by)
        else:
            decide_on_appeal(case_id, decision, appeal_side, db=db, settings=settings, at=at, by=by)
        rows = [r for r in notices.for_case(db, case_id) if r.id not in before]
        sealer = requests.sealer_for(settings)
        return [(r.recipient, r.subject, notices.body_of(r, sealer) or (r.skip_reason or "")) for r in rows]
    finally:
        nested.rollback()
        audit.record(
            db,
            at=at,
            actor=by,
            action="case.notices_previewed",
            subject_type="case",
            subject_id=case_id,
            personal_data=True,
        )
