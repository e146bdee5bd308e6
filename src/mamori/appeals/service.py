"""Use cases of appeals: a side objects to a decision; a different specialist rules on it."""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

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
from mamori.requests import service as requests
from mamori.requests.model import Stage
from mamori.requests.service import CaseRecord as CaseRow


@dataclass(frozen=True)
class AppealState:
    """What a side's page shows: the decision it may object to, and whether it already did."""

    decision: decisions.DecisionRecord | None
    may_appeal: bool
    appeal: store.AppealRow | None


def state_for(case: CaseRow, side: Side, *, db: Session) -> AppealState:
    """May this side object now? Only to the case's latest decision, once, and only the right kind.

    A ruling on a side's own objection is final for that side (otherwise every ruling would open a
    new objection and the case would never close); the other side may still object to it.
    """
    decision = decisions.latest(case.id, db=db)
    if decision is None:
        return AppealState(None, False, None)
    appeal = store.for_decision(db, decision.id, side.value)
    allowed = (
        case.stage == Stage.DECIDED.value
        and appeal is None
        and model.may_appeal(side, Measure(decision.measure))
        and store.ruling_on(db, decision.id, side.value) is None
    )
    return AppealState(decision, allowed, appeal)


def check_poster_key(case: CaseRow, key: str, settings: Settings) -> bool:
    """The key in the Art. 27 mail's link (the poster has no account)."""
    real = requests.poster_secret(case, settings)
    return real is not None and hmac.compare_digest(real.encode(), key.encode())


def file_appeal(
    case_id: str, side: Side, reasons: str, *, db: Session, at: dt.datetime, by: Actor
) -> store.AppealRow:
    """Object to the latest decision (once per decision and side); the case opens again."""
    case = requests.get_case_row(db, case_id)
    state = state_for(case, side, db=db)
    if state.appeal is not None:
        raise Conflict(
            "already_appealed",
            "この判断には既に異議を申し立てています。",
            "You already objected to this decision.",
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
    return next((a for a in store.for_case(db, case_id) if a.ruled_at is None), None)


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
