"""Use cases of the sender inquiry: send it, let the poster answer once, and close the window.

The poster's receipt is the moment our mail server handed the inquiry over (the outbox's `sent_at`):
the window cannot start before the poster could have read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import format_jst
from mamori.core.config import Settings
from mamori.core.errors import Conflict, DomainError, Forbidden
from mamori.core.i18n import translate
from mamori.core.operator import operator_profile
from mamori.core.text import refuse_control_characters
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.inquiry import model, store
from mamori.inquiry.model import Answer, InquiryNoticeKind, InquiryStatus
from mamori.notices import service as notices
from mamori.notices.compose import contact_footer, operator_context
from mamori.notices.model import NoticeStatus
from mamori.requests import claims
from mamori.requests import service as requests
from mamori.requests.model import OPEN_STAGES
from mamori.requests.service import CaseRecord as CaseRow

MIN_OBJECTION_LENGTH = 5


@dataclass(frozen=True)
class ElectionClaim:
    """Art. 4: the facts that shorten the window to 2 days (all three must hold)."""

    candidate_request: bool = False  # the requester is a 公職の候補者等
    election_material: bool = False  # the content is election material (特定文書図画)
    during_campaign: bool = False  # and it is the campaign period


@dataclass(frozen=True)
class PosterView:
    """The request as the requester allowed it to be shown to the poster."""

    inquiry: store.InquiryRow
    content_url: str
    content_text: str
    rights: list[str]
    reason: str
    requester_name: str  # empty unless the requester agreed to show it
    ends_at: dt.datetime | None


def _shown_name(case: CaseRow, *, db: Session, settings: Settings, at: dt.datetime, by: Actor) -> str:
    if not case.show_name_to_poster:
        return ""
    return requests.requester_of(
        case, settings=settings, db=db, at=at, by=by, purpose="inquiry_name_shown"
    ).name


def compose_inquiry(lang: str, ctx: dict[str, str]) -> tuple[str, str]:
    """(subject, body) of the inquiry mail in one language (照会書, MISSION.md §4)."""

    def t(msgid: str) -> str:
        return translate(msgid, lang)

    lines = [
        t("We have received a request to remove a post of yours, and ask for your opinion.") + "\n",
        f"{t('Post')}: {ctx['content_url']}",
        f"{t('Content')}: {ctx['content_text']}",
        f"{t('Rights claimed to be infringed')}: {ctx['rights']}",
        f"{t('Reason given by the requester')}: {ctx['reason']}",
    ]
    if ctx["requester_name"]:
        lines.append(f"{t('Requester')}: {ctx['requester_name']}")
    lines += [
        "",
        t(
            "If you do not consent to the removal, tell us with your reasons "
            "within %(days)s days of receiving this mail."
        )
        % {"days": ctx["days"]},
        t("If no objection reaches us within that time, the post may be removed.") + "\n",
        f"{t('Answer here (the link works once)')}: {ctx['answer_url']}",
        "",
        t(
            "This inquiry is sent under Article 3(2) of the Act on the Handling "
            "of Information Distribution Platforms."
        ),
    ]
    subject = t("[%(platform)s] Inquiry about a request to remove your post") % {"platform": ctx["platform"]}
    return subject, "\n".join(lines) + "\n"


def send_inquiry(
    case_id: str, election: ElectionClaim, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.InquiryRow:
    """Send the poster the inquiry with a single-use answer link; the first one also tells the requester
    which extension ground applies (Art. 25(1) proviso: hearing the poster)."""
    if not by.may("inquiry.send"):
        raise Forbidden()
    case = requests.get_case_row(db, case_id)
    if case.stage not in [s.value for s in OPEN_STAGES]:
        raise Conflict("case_closed", "この申出は判断済みです。", "This case is not open.", "case")
    claims.act_on(case, db=db, now=at, by=by, settings=settings)
    earlier = store.for_case(db, case.id)
    if any(i.status == InquiryStatus.WAITING.value for i in earlier):
        raise Conflict(
            "inquiry_pending",
            "回答待ちの照会があります。",
            "An inquiry is already waiting for an answer.",
            "case",
        )
    poster = requests.poster_of(case, settings=settings, db=db, at=at, by=by, purpose="sender_inquiry")
    if poster is None:
        raise DomainError(
            code="poster_unknown",
            field="poster",
            ja="発信者の連絡先を先に登録してください。",
            en="Record the poster's contact first.",
        )
    days = model.window_days(
        candidate_request=election.candidate_request or case.election_candidate,
        election_material=election.election_material,
        during_campaign=election.during_campaign,
    )
    token = model.new_answer_token()
    name = _shown_name(case, db=db, settings=settings, at=at, by=by)
    texts = requests.case_texts(case, settings)
    operator = operator_profile(db, settings)
    ctx = {
        "content_url": case.content_url,
        "content_text": texts.content_text,
        "reason": texts.reason,
        "requester_name": name,
        "days": str(days),
        "answer_url": f"{settings.base_url.rstrip('/')}/inquiry/answer/{token}",
    }
    subject_ja, body_ja = compose_inquiry(
        "ja", {**ctx, "platform": operator.name("ja"), "rights": requests.rights_text(case.rights_list, "ja")}
    )
    subject_en, body_en = compose_inquiry(
        "en", {**ctx, "platform": operator.name("en"), "rights": requests.rights_text(case.rights_list, "en")}
    )
    body_en += contact_footer(operator_context(operator, "en"), "en")
    row = store.InquiryRow(
        id=store.new_id(),
        case_id=case.id,
        status=InquiryStatus.WAITING.value,
        window_days=days,
        election_rule=days == model.ELECTION_WINDOW_DAYS,
        name_shown=bool(name),
        token_hash=model.token_digest(token),
        created_at=at,
        created_by=by.ident,
    )
    notice = notices.queue(
        db,
        sealer=requests.sealer_for(settings),
        case_id=case.id,
        kind=InquiryNoticeKind.INQUIRY,
        recipient="poster",
        to_address=poster.email,
        lang="ja",
        subject=f"{subject_ja} / {subject_en}",
        body=f"{body_ja}\n――――― English ―――――\n\n{body_en}",
        dedupe_key=f"{case.id}:inquiry:{row.id}",
        at=at,
    )
    row.notice_id = notice.id
    db.add(row)
    db.flush()
    requests.set_inquiry_state(case, InquiryStatus.WAITING.value)
    requests.record_event(db, case.id, at, "inquiry_sent", by.ident, window_days=days, name_shown=bool(name))
    audit.record(
        db, at=at, actor=by, action="inquiry.sent", subject_type="case", subject_id=case.id, inquiry=row.id
    )
    if not earlier:
        decisions.extend(case.id, ExtensionGround.HEARING_POSTER, "", db=db, settings=settings, at=at, by=by)
    return row


def _by_token(token: str, db: Session) -> store.InquiryRow:
    row = store.by_token(db, model.token_digest(token))
    if row is None:
        raise DomainError(
            code="not_found",
            status=404,
            field="token",
            ja="このリンクは無効です。メールのリンクをもう一度確認してください。",
            en="This link is not valid: check the link in the mail.",
        )
    return row


def for_poster(token: str, *, db: Session, settings: Settings, at: dt.datetime) -> PosterView:
    """What the poster's answer page shows."""
    row = _by_token(token, db)
    case = requests.get_case_row(db, row.case_id)
    poster = Actor("poster:" + (case.poster_key or "unknown"))
    name = _shown_name(case, db=db, settings=settings, at=at, by=poster) if row.name_shown else ""
    texts = requests.case_texts(case, settings)
    return PosterView(
        row, case.content_url, texts.content_text, case.rights_list, texts.reason, name, row.ends_at
    )


def answer(token: str, choice: Answer, reason: str, *, db: Session, at: dt.datetime) -> store.InquiryRow:
    """Record the poster's answer; the link then stops working (single use)."""
    reason = refuse_control_characters(reason, field="reason", single_line=False)
    row = _by_token(token, db)
    _settle_receipt(row, db)
    if row.status != InquiryStatus.WAITING.value:
        raise Conflict(
            "already_answered",
            "この照会には既に回答済みか、回答期間が終了しています。",
            "This inquiry was already answered, or its window has ended.",
            "token",
        )
    if model.lapsed(now=at, ends_at=row.ends_at):
        raise Conflict(
            "window_over", "回答期間が終了しています。", "The window for answering has ended.", "token"
        )
    reason = reason.strip()
    if choice is Answer.OBJECT and len(reason) < MIN_OBJECTION_LENGTH:
        raise DomainError(
            code="reason_required",
            field="reason",
            ja="同意しない理由を書いてください。",
            en="Write why you do not consent.",
        )
    row.status = InquiryStatus.CONSENTED.value if choice is Answer.CONSENT else InquiryStatus.OBJECTED.value
    row.answer, row.answer_reason, row.answered_at = choice.value, reason, at
    row.token_hash = model.token_digest(model.new_answer_token())  # the link is spent
    if row.received_at is None:  # answering proves receipt: the window has an end even so
        row.received_at = at
        row.ends_at = model.window_ends_at(at, row.window_days)
    requests.set_inquiry_state(requests.get_case_row(db, row.case_id), row.status, row.ends_at)
    requests.record_event(db, row.case_id, at, "inquiry_answered", "poster", answer=choice.value)
    audit.record(
        db, at=at, actor="poster", action="inquiry.answered", subject_type="case", subject_id=row.case_id
    )
    return row


def _settle_receipt(row: store.InquiryRow, db: Session) -> None:
    if row.received_at is not None:
        return
    notice = notices.get(db, row.notice_id)
    if notice is not None and notice.status == NoticeStatus.SENT.value and notice.sent_at is not None:
        row.received_at = notice.sent_at
        row.ends_at = model.window_ends_at(notice.sent_at, row.window_days)
        requests.set_inquiry_state(requests.get_case_row(db, row.case_id), row.status, row.ends_at)
        requests.record_event(
            db, row.case_id, notice.sent_at, "inquiry_received", "system", ends_at=row.ends_at.isoformat()
        )


def sweep_inquiries(*, db: Session, now: dt.datetime, settings: Settings) -> list[str]:
    """Start each window once its mail is delivered; close each window that ended with no objection,
    putting the case back in the common queue marked so. Returns the receipt numbers closed."""
    closed = []
    for row in store.waiting(db):
        _settle_receipt(row, db)
        if not model.lapsed(now=now, ends_at=row.ends_at):
            continue
        row.status, row.lapsed_at = InquiryStatus.LAPSED.value, now
        case = requests.get_case_row(db, row.case_id)
        requests.set_inquiry_state(case, InquiryStatus.LAPSED.value)
        claims.release_claims_on(case.id, db=db)
        requests.record_event(db, case.id, now, "inquiry_lapsed", "system", window_days=row.window_days)
        audit.record(
            db, at=now, actor="system", action="inquiry.lapsed", subject_type="case", subject_id=case.id
        )
        closed.append(case.receipt_number)
    return closed


MARK_TEXT = {
    InquiryStatus.WAITING.value: "inquiry_waiting",
    InquiryStatus.CONSENTED.value: "poster_consented",
    InquiryStatus.OBJECTED.value: "poster_objected",
    InquiryStatus.LAPSED.value: "no_objection_in_window",
}


def marks_for(db: Session, case_ids: list[str]) -> dict[str, list[str]]:
    """Per case, the state of its latest inquiry as a queue marker."""
    out: dict[str, list[str]] = {}
    if not case_ids:
        return out
    rows = db.scalars(
        select(store.InquiryRow)
        .where(store.InquiryRow.case_id.in_(case_ids))
        .order_by(store.InquiryRow.created_at)
    )
    for row in rows:
        out[row.case_id] = [MARK_TEXT[row.status]]
    return out


def for_case(db: Session, case_id: str) -> list[store.InquiryRow]:
    """Every inquiry on a case, oldest first."""
    return store.for_case(db, case_id)


def latest(case_id: str, *, db: Session) -> store.InquiryRow | None:
    """The case's latest inquiry (the decision form shows its outcome)."""
    rows = store.for_case(db, case_id)
    return rows[-1] if rows else None


def describe_window(row: store.InquiryRow, lang: str) -> str:
    if row.ends_at is None:
        return translate("The window starts when the poster receives the mail.", lang)
    return format_jst(row.ends_at, lang)
