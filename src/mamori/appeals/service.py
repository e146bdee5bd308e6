"""Use cases of appeals: a side objects to a decision; a different specialist rules on it."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from mamori.appeals import model, store
from mamori.appeals.model import AppealNoticeKind, Side
from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import format_jst
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError
from mamori.core.i18n import translate
from mamori.core.text import refuse_control_characters
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.notices import service as notices
from mamori.notices.model import NoticeKind
from mamori.requests import service as requests
from mamori.requests.model import Stage
from mamori.requests.service import CaseRecord as CaseRow


@dataclass(frozen=True)
class AppealState:
    """What a side's page shows: the decision it may object to, until when, and its objection."""

    decision: decisions.DecisionRecord | None
    may_appeal: bool
    appeal: store.AppealRow | None
    filing: model.FilingPeriod | None = None  # None: this side has nothing to object to
    ruling: model.RulingDue | None = None  # when the ruling on this side's objection is due

    @property
    def period_over(self) -> bool:
        """The side could have objected, and the period has ended."""
        return self.filing is not None and not self.may_appeal


# The decision's notice to each side; its delivery starts the side's period to object.
DECISION_NOTICE = {
    Side.POSTER: (NoticeKind.POSTER_MEASURE, "poster"),
    Side.REQUESTER: (NoticeKind.REQUESTER_DECISION, "requester"),
}


def _filing_days(settings: Settings | None) -> int:
    # Callers written before the period existed pass no settings: the documented default applies.
    if settings is None:
        return int(Settings.model_fields["appeal_filing_days"].default)
    return settings.appeal_filing_days


def filing_period(
    case_id: str, decision: decisions.DecisionRecord, side: Side, *, db: Session, filing_days: int
) -> model.FilingPeriod:
    """The side's period to object to `decision`: from the delivery of the decision's notice to it.

    The notice is the one of its kind to that side that names the decision (`ref`); a row written
    before notices named their decision is matched by time: the first written at or after the decision
    (decide() writes it in the decision's transaction). See `model.filing_starts_at` for a notice
    pending, failed or skipped.
    """
    kind, recipient = DECISION_NOTICE[side]
    notice = next(
        (
            n
            for n in notices.for_case(db, case_id)
            if n.kind == kind.value
            and n.recipient == recipient
            and (n.ref == decision.id if n.ref is not None else n.created_at >= decision.decided_at)
        ),
        None,
    )
    starts = model.filing_starts_at(
        decision.decided_at, notice.status if notice else None, notice.sent_at if notice else None
    )
    return model.filing_period(starts, filing_days)


def state_for(case: CaseRow, side: Side, *, db: Session, settings: Settings, now: dt.datetime) -> AppealState:
    """May this side object now? Only to the case's latest decision, once, only the right kind, and
    within MAMORI_APPEAL_FILING_DAYS of the delivery of the decision's notice to it; and when is the
    ruling on its objection due (MAMORI_APPEAL_RULING_DAYS).

    A ruling on a side's own objection is final for that side (otherwise every ruling would open a
    new objection and the case would never close); the other side may still object to it.
    """
    state, own = _state(case, side, db=db, filing_days=settings.appeal_filing_days, now=now)
    if own is None:
        return state
    return replace(state, ruling=_ruling_due(own, settings=settings, now=now))


def _state(
    case: CaseRow, side: Side, *, db: Session, filing_days: int, now: dt.datetime
) -> tuple[AppealState, store.AppealRow | None]:
    """The side's state, and its objection on the latest decision or the one that decision ruled on."""
    decision = decisions.latest(case.id, db=db)
    if decision is None:
        return AppealState(None, False, None), None
    appeal = store.for_decision(db, decision.id, side.value)
    ruled_by_this = store.ruling_on(db, decision.id, side.value)
    eligible = (
        case.stage == Stage.DECIDED.value
        and appeal is None
        and ruled_by_this is None
        and model.may_appeal(side, Measure(decision.measure))
    )
    if not eligible:
        return AppealState(decision, False, appeal), appeal or ruled_by_this
    period = filing_period(case.id, decision, side, db=db, filing_days=filing_days)
    return AppealState(decision, period.open_at(now), appeal, period), None


def check_poster_key(case: CaseRow, key: str, settings: Settings) -> bool:
    """The key in the Art. 27 mail's link (the poster has no account)."""
    real = requests.poster_secret(case, settings)
    return real is not None and hmac.compare_digest(real.encode(), key.encode())


def file_appeal(
    case_id: str,
    side: Side,
    reasons: str,
    *,
    db: Session,
    at: dt.datetime,
    by: Actor,
    settings: Settings,
) -> store.AppealRow:
    """Object to the latest decision (once per decision and side), within the period
    (MAMORI_APPEAL_FILING_DAYS); the case opens again."""
    case = requests.get_case_row(db, case_id)
    state, _own = _state(case, side, db=db, filing_days=_filing_days(settings), now=at)
    if state.appeal is not None:
        raise Conflict(
            "already_appealed",
            "この判断には既に異議を申し立てています。",
            "You already objected to this decision.",
            "case",
        )
    if state.period_over and state.filing is not None and state.filing.due_at is not None:
        days, due = state.filing.days, state.filing.due_at
        raise Conflict(
            "appeal_period_over",
            f"異議を申し立てられる期間 ({days}日間) は {format_jst(due, 'ja')} で終わりました。",
            f"The period to object ({days} days) ended on {format_jst(due, 'en')}.",
            "case",
        )
    if state.decision is None or not state.may_appeal:
        raise Conflict(
            "not_appealable",
            "この判断に対して異議を申し立てることはできません。",
            "This decision cannot be appealed by you.",
            "case",
        )
    reasons = refuse_control_characters(reasons.strip(), field="reasons", single_line=False)
    if len(reasons) < model.MIN_REASON_LENGTH:
        raise DomainError(
            code="reason_required",
            field="reasons",
            ja=f"異議の理由を{model.MIN_REASON_LENGTH}文字以上で書いてください。",
            en=f"Write your reasons, at least {model.MIN_REASON_LENGTH} characters.",
        )
    row = store.AppealRow(
        case_id=case.id, decision_id=state.decision.id, side=side.value, reasons=reasons, filed_at=at
    )
    db.add(row)
    requests.mark_appealed(case)
    db.flush()
    requests.record_event(db, case.id, at, "appealed", by.ident, side=side.value, decision=state.decision.id)
    audit.record(
        db, at=at, actor=by, action="case.appealed", subject_type="case", subject_id=case.id, side=side.value
    )
    return row


def for_case(db: Session, case_id: str) -> list[store.AppealRow]:
    """Every objection on a case, oldest first."""
    return store.for_case(db, case_id)


def open_appeal(case_id: str, *, db: Session) -> store.AppealRow | None:
    """The objection on a case that waits for its ruling, if any."""
    return next((a for a in store.for_case(db, case_id) if a.ruled_at is None), None)


def _ruling_due(appeal: store.AppealRow, *, settings: Settings, now: dt.datetime) -> model.RulingDue:
    return model.ruling_due(
        appeal_id=appeal.id,
        case_id=appeal.case_id,
        side=appeal.side,
        filed_at=appeal.filed_at,
        ruled_at=appeal.ruled_at,
        ruling_days=settings.appeal_ruling_days,
        now=now,
        due_soon=dt.timedelta(hours=settings.due_soon_hours),
    )


def ruling_due(case_id: str, *, db: Session, settings: Settings, now: dt.datetime) -> model.RulingDue | None:
    """When the ruling on the case's open objection is due (MAMORI_APPEAL_RULING_DAYS from the objection,
    counted as 民法 Art. 140/141 count, in JST), and whether it is late; None without an open objection."""
    appeal = open_appeal(case_id, db=db)
    return _ruling_due(appeal, settings=settings, now=now) if appeal is not None else None


def rulings_due(
    case_ids: list[str], *, db: Session, settings: Settings, now: dt.datetime
) -> dict[str, model.RulingDue]:
    """`ruling_due` for many cases in one query (the workspace queue): only cases with an open objection."""
    return {
        appeal.case_id: _ruling_due(appeal, settings=settings, now=now)
        for appeal in store.open_for_cases(db, case_ids)
    }


def rule(
    case_id: str,
    decision: decisions.DecisionInput,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> decisions.DecisionOutcome:
    """Decide the appealed case again, as a different specialist; both sides are told with reasons."""
    appeal = open_appeal(case_id, db=db)
    if appeal is None:
        raise Conflict(
            "no_open_appeal", "未決の異議はありません。", "There is no open appeal on this case.", "case"
        )
    # decisions holds the rule that another specialist rules, and that only a ruling settles an appeal
    outcome = decisions.decide_on_appeal(
        case_id, decision, appeal.side, db=db, settings=settings, at=at, by=by
    )
    appeal.ruled_at, appeal.ruling_decision_id, appeal.ruled_by = at, outcome.decision_id, by.ident
    requests.record_event(
        db, case_id, at, "appeal_ruled", by.ident, side=appeal.side, measure=decision.measure.value
    )
    if appeal.side == Side.POSTER.value and not decision.measure.is_removal:
        _tell_poster_appeal_upheld(case_id, decision, db=db, settings=settings, at=at, by=by)
    return outcome


def _tell_poster_appeal_upheld(
    case_id: str,
    decision: decisions.DecisionInput,
    *,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> None:
    """decide() tells the poster only of measures; a poster whose objection succeeded is told too."""
    case = requests.get_case_row(db, case_id)
    poster = requests.poster_of(case, settings=settings, db=db, at=at, by=by, purpose="appeal_outcome")
    if poster is None:
        return
    parts = []
    for lang in ("ja", "en"):
        subject = translate("[%(platform)s] The outcome of your objection", lang) % {
            "platform": settings.platform_name
        }
        body = "\n".join(
            [
                translate("We reviewed your objection and have lifted the measure on your post.", lang),
                f"{translate('Post', lang)}: {case.content_url}",
                f"{translate('Decided at', lang)}: {format_jst(at, lang)}",
                f"{translate('Reason', lang)}: {decision.reason}",
            ]
        )
        parts.append((subject, body))
    notices.queue(
        db,
        sealer=requests.sealer_for(settings),
        case_id=case.id,
        kind=AppealNoticeKind.OUTCOME_TO_POSTER,
        recipient="poster",
        to_address=poster.email,
        lang="ja",
        subject=f"{parts[0][0]} / {parts[1][0]}",
        body=f"{parts[0][1]}\n\n――――― English ―――――\n\n{parts[1][1]}\n",
        dedupe_key=f"{case.id}:appeal_outcome:{at.isoformat()}",
        at=at,
    )


@dataclass(frozen=True)
class RequesterOutcome:
    """What happened to a removal request, for the requester's status page in plain words.

    kind: received (nothing done yet), in_review, extended (the Art. 25(1) proviso: which ground, and
    its reason for "unavoidable"), removed / restricted / suspended / not_removed (the latest decision;
    after_appeal when it is a ruling on an objection), under_appeal (an objection by either side waits
    for its ruling: the earlier decision may change).
    """

    kind: str
    decided_at: dt.datetime | None = None
    clause_code: str = ""
    clause_title_ja: str = ""
    clause_title_en: str = ""
    reason: str = ""
    after_appeal: bool = False
    ground: str = ""
    ground_reason: str = ""
    appeal_side: str = ""
    ruling_due_at: dt.datetime | None = None
    due_at: dt.datetime | None = None


_MEASURE_KIND = {
    Measure.REMOVE: "removed",
    Measure.RESTRICT_VISIBILITY: "restricted",
    Measure.SUSPEND_ACCOUNT: "suspended",
    Measure.NO_ACTION: "not_removed",
}


def requester_outcome(
    case: CaseRow, *, db: Session, settings: Settings, now: dt.datetime
) -> RequesterOutcome:
    """The request's outcome as the requester should read it first (the notices follow below it)."""
    pending = open_appeal(case.id, db=db)
    decision = decisions.latest(case.id, db=db)
    if pending is not None:
        due = _ruling_due(pending, settings=settings, now=now)
        return RequesterOutcome(
            "under_appeal",
            decided_at=decision.decided_at if decision else None,
            appeal_side=pending.side,
            ruling_due_at=due.due_at,
        )
    if decision is not None:
        clause = decision.clause_code or ""
        return RequesterOutcome(
            _MEASURE_KIND[Measure(decision.measure)],
            decided_at=decision.decided_at,
            clause_code=clause,
            clause_title_ja=decisions.clause_title_ja(db, decision) if clause else "",
            clause_title_en=decisions.clause_title_en(db, decision) if clause else "",
            reason=decision.reason,
            after_appeal=decision.basis.startswith("appeal"),
        )
    extensions = decisions.extensions_for(db, case.id)
    if extensions:
        last = extensions[-1]
        return RequesterOutcome("extended", ground=last.ground, ground_reason=last.reason)
    kind = "in_review" if case.stage == Stage.IN_REVIEW.value else "received"
    return RequesterOutcome(kind, due_at=case.decision_due_at)
