"""The opinion hearing (意見照会, 情プラ法 Art. 6(1)): before disclosing, the provider asks the poster
whether they consent and, if not, why. The poster answers once, through a single-use page whose key
is in the mail's link; what the requester asked not to show the poster (MISSION.md §4: name, address,
contact, the reason infringement is clear, the evidence) is left out of the page and the mail alike.

The window (MAMORI_DISCLOSURE_HEARING_DAYS, two weeks by default) starts when our mail server handed
the mail over: the poster cannot answer before they could read it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import format_jst
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.errors import Conflict, DomainError
from mamori.core.i18n import translate
from mamori.core.operator import operator_profile
from mamori.core.text import refuse_control_characters
from mamori.disclosure import fields, model, service, store
from mamori.disclosure.model import Answer, HearingStatus, MatterKind
from mamori.drafting.model import (
    ITEM_LABELS,
    PURPOSE_LABELS,
    RIGHT_LABELS,
    DisclosureItem,
    Purpose,
    Right,
    Withheld,
)
from mamori.logs import service as logs
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus

NOTICE_HEARING = "disclosure_hearing"
MIN_REASON = 5
MAX_REASON = 10_000


@dataclass(frozen=True)
class PosterView:
    """The request as the poster may see it: the withheld items are not in it at all."""

    number: str
    content_url: str
    content_text: str
    rights: list[tuple[str, str]]
    purposes: list[tuple[str, str]]
    items: list[tuple[str, str]]
    clear_reason: str | None  # None: withheld
    requester: dict[str, str]  # only what may be shown
    evidence: list[str] | None  # None: withheld
    ends_at: dt.datetime | None
    status: str


def _labels(values: list[str], labels: dict[Any, tuple[str, str]], enum: type) -> list[tuple[str, str]]:
    out = []
    for value in values:
        try:
            out.append(labels[enum(value)])
        except ValueError:
            continue
    return out


def poster_view(row: store.MatterRow, hearing: store.HearingRow | None, settings: Settings) -> PosterView:
    """What the hearing page and mail show the poster (the requester's withheld items left out)."""
    form: dict[str, Any] = service.details_of(row, settings).get("request", {})
    withheld = set(row.withheld.split(",")) if row.withheld else set()
    person = form.get("requester") or {}
    requester: dict[str, str] = {}
    if Withheld.NAME.value not in withheld and person.get("name"):
        requester["name"] = str(person["name"])
    if Withheld.ADDRESS.value not in withheld and person.get("address"):
        requester["address"] = str(person["address"])
    if Withheld.CONTACT.value not in withheld:
        contact = " / ".join(str(person[k]) for k in ("email", "phone") if person.get(k))
        if contact:
            requester["contact"] = contact
    evidence = None
    if Withheld.EVIDENCE.value not in withheld:
        evidence = [str(e.get("description", "")) for e in form.get("evidence") or [] if isinstance(e, dict)]
    return PosterView(
        number=row.number,
        content_url=str(form.get("content_url", "")),
        content_text=str(form.get("content_text", "")),
        rights=_labels(form.get("rights") or [], RIGHT_LABELS, Right),
        purposes=_labels(form.get("purposes") or [], PURPOSE_LABELS, Purpose),
        items=_labels(row.items.split(",") if row.items else [], ITEM_LABELS, DisclosureItem),
        clear_reason=None if Withheld.CLEAR_REASON.value in withheld else str(form.get("clear_reason", "")),
        requester=requester,
        evidence=evidence,
        ends_at=hearing.ends_at if hearing else None,
        status=hearing.status if hearing else HearingStatus.WAITING.value,
    )


def compose_hearing(view: PosterView, lang: str, *, platform: str, days: int, link: str) -> tuple[str, str]:
    """(subject, body) of the hearing mail in one language."""

    def t(msgid: str) -> str:
        return translate(msgid, lang)

    pick = 1 if lang == "en" else 0
    lines = [
        t("We have received a request to disclose your sender information, and ask for your opinion.") + "\n",
        f"{t('Post')}: {view.content_url}",
        f"{t('Content')}: {view.content_text}",
        f"{t('Rights claimed to be infringed')}: {', '.join(r[pick] for r in view.rights)}",
        f"{t('Information requested')}: {', '.join(i[pick] for i in view.items)}",
        f"{t('Reasons for disclosure given')}: {', '.join(p[pick] for p in view.purposes)}",
    ]
    if view.clear_reason is not None:
        lines.append(f"{t('Why the requester says infringement is clear')}: {view.clear_reason}")
    for key, label in (
        ("name", "The requester"),
        ("address", "Requester's address"),
        ("contact", "Requester's contact"),
    ):
        if key in view.requester:
            lines.append(f"{t(label)}: {view.requester[key]}")
    lines += [
        "",
        t(
            "Tell us whether you consent to the disclosure and, if not, why, within %(days)s days of receiving this mail."
        )
        % {"days": days},
        t("Your answer and reasons are considered before anything is disclosed."),
        "",
        f"{t('Answer here (the link works once)')}: {link}",
        "",
        t(
            "This hearing is made under Article 6(1) of the Act on the Handling of Information Distribution Platforms."
        ),
    ]
    subject = t("[%(platform)s] Opinion hearing on a request to disclose your sender information") % {
        "platform": platform
    }
    return subject, "\n".join(lines) + "\n"


def start_hearing(
    matter_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.HearingRow:
    """Send the poster the hearing mail with a single-use answer link (Art. 6(1))."""
    service.may_manage(by)
    row = service.open_matter(matter_id, db, MatterKind.REQUEST)
    if any(h.status == HearingStatus.WAITING.value for h in store.hearings_of(db, row.id)):
        raise Conflict(
            "hearing_pending",
            "回答待ちの意見照会があります。",
            "A hearing is already waiting for an answer.",
            "hearing",
        )
    account = fields.Target.from_json(service.details_of(row, settings)["target"]).account_id
    holder = (
        logs.account_holder(db, account_id=account, actor=by, at=at, settings=settings) if account else None
    )
    if holder is None or not holder.email:
        raise DomainError(
            code="poster_unreachable",
            field="hearing",
            ja="発信者のメールアドレスがログにありません（照会できない場合は、その旨を記録して判断してください）。",
            en="The logs hold no e-mail address for the poster (if they cannot be reached, record that and decide).",
        )
    days = settings.disclosure_hearing_days
    key = model.new_key()
    view = poster_view(row, None, settings)
    profile = operator_profile(db, settings)
    link = f"{settings.base_url.rstrip('/')}/disclosure/hearing/{key}"
    subject_ja, body_ja = compose_hearing(view, "ja", platform=profile.name("ja"), days=days, link=link)
    subject_en, body_en = compose_hearing(view, "en", platform=profile.name("en"), days=days, link=link)
    hearing = store.HearingRow(
        id=store.new_id(),
        matter_id=row.id,
        status=HearingStatus.WAITING.value,
        window_days=days,
        key_hash=model.key_digest(key),
        created_at=at,
        created_by=by.ident,
        reason_sealed="",
    )
    notice = notices.queue(
        db,
        sealer=Sealer(settings.secret_key),
        case_id=None,
        kind=NOTICE_HEARING,
        recipient="poster",
        to_address=holder.email,
        lang="ja",
        subject=f"{subject_ja} / {subject_en}",
        body=f"{body_ja}\n――――― English ―――――\n\n{body_en}",
        dedupe_key=f"disclosure:{row.id}:hearing:{hearing.id}",
        at=at,
        ref=row.id,
    )
    hearing.notice_id = notice.id
    db.add(hearing)
    db.flush()
    service.record_step(db, row.id, at, "hearing_sent", by, window_days=days)
    audit.record(
        db, at=at, actor=by, action="disclosure.hearing_sent", subject_type="disclosure", subject_id=row.id
    )
    return hearing


def settle_receipt(hearing: store.HearingRow, db: Session) -> None:
    """The window starts once the outbox says the mail server accepted the hearing mail."""
    if hearing.received_at is not None:
        return
    notice = notices.get(db, hearing.notice_id)
    if notice is not None and notice.status == NoticeStatus.SENT.value and notice.sent_at is not None:
        hearing.received_at = notice.sent_at
        hearing.ends_at = model.hearing_ends_at(notice.sent_at, hearing.window_days)


def _by_key(key: str, db: Session) -> store.HearingRow:
    hearing = store.hearing_by_key(db, model.key_digest(key)) if key else None
    if hearing is None:
        raise DomainError(
            code="not_found",
            status=404,
            field="key",
            ja="このリンクは無効です。メールのリンクをもう一度確認してください。",
            en="This link is not valid: check the link in the mail.",
        )
    return hearing


def for_poster(key: str, *, db: Session, settings: Settings) -> PosterView:
    """What the poster's page shows (the key is the poster's only credential)."""
    hearing = _by_key(key, db)
    settle_receipt(hearing, db)
    row = service.get_matter(db, hearing.matter_id)
    return poster_view(row, hearing, settings)


def answer(
    key: str, choice: Answer, reason: str, *, db: Session, settings: Settings, at: dt.datetime
) -> store.HearingRow:
    """Record the poster's answer once; the link then stops working. An objection needs its reasons.
    When a 開示命令 on the matter is already registered, the objecting poster is told of it (Art. 6(2))."""
    reason = refuse_control_characters(reason, field="reason", single_line=False).strip()
    if len(reason) > MAX_REASON:
        raise DomainError(
            code="too_long", field="reason", ja="理由が長すぎます。", en="The reason is too long."
        )
    hearing = _by_key(key, db)
    settle_receipt(hearing, db)
    if hearing.status != HearingStatus.WAITING.value:
        raise Conflict(
            "already_answered",
            "この意見照会には回答済みか、回答期間が終了しています。",
            "This hearing was already answered, or its window has ended.",
            "key",
        )
    if hearing.ends_at is not None and at > hearing.ends_at:
        raise Conflict(
            "window_over", "回答期間が終了しています。", "The window for answering has ended.", "key"
        )
    if choice is Answer.OBJECT and len(reason) < MIN_REASON:
        raise DomainError(
            code="reason_required",
            field="reason",
            ja="同意しない理由を書いてください。",
            en="Write why you do not consent.",
        )
    hearing.status = (
        HearingStatus.CONSENTED.value if choice is Answer.CONSENT else HearingStatus.OBJECTED.value
    )
    hearing.answer, hearing.answered_at = choice.value, at
    hearing.reason_sealed = service.sealer(settings).seal(reason, bound_to=f"disclosure:{hearing.id}:reason")
    hearing.key_hash = model.key_digest(model.new_key())  # the link is spent
    if hearing.received_at is None:  # answering proves receipt
        hearing.received_at = at
        hearing.ends_at = model.hearing_ends_at(at, hearing.window_days)
    service.record_step(db, hearing.matter_id, at, "hearing_answered", "poster", answer=choice.value)
    audit.record(
        db,
        at=at,
        actor="poster",
        action="disclosure.hearing_answered",
        subject_type="disclosure",
        subject_id=hearing.matter_id,
    )
    if choice is Answer.OBJECT:
        db.flush()
        for order in store.orders_following(db, hearing.matter_id):
            service.notify_objecting_poster(order, db=db, settings=settings, at=at)
    return hearing


def reason_of(hearing: store.HearingRow, settings: Settings) -> str:
    if not hearing.reason_sealed:
        return ""
    return str(
        service.sealer(settings).open(hearing.reason_sealed, bound_to=f"disclosure:{hearing.id}:reason")
    )


def sweep(*, db: Session, now: dt.datetime) -> int:
    """Start each window once its mail is delivered; close each window that ended without an answer."""
    lapsed = 0
    for hearing in store.waiting_hearings(db):
        settle_receipt(hearing, db)
        if hearing.ends_at is not None and now > hearing.ends_at:
            hearing.status = HearingStatus.LAPSED.value
            service.record_step(db, hearing.matter_id, now, "hearing_lapsed", "system")
            lapsed += 1
    return lapsed


def describe_window(view: PosterView, lang: str) -> str:
    if view.ends_at is None:
        return translate("The window starts when the mail is delivered.", lang)
    return format_jst(view.ends_at, lang)
