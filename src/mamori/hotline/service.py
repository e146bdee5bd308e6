"""Use cases of the hotline's desk: take reports (from the person harmed, or for a child from a guardian
or school staff), assess them against the hotline's criteria one by one, notify the platform (into its
mamori over HTTP, or by letter), follow its answer, and count what the hotline publishes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import JST, to_jst
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.errors import Conflict, DomainError, Forbidden, NotFound
from mamori.core.text import refuse_control_characters
from mamori.hotline import model, platform_client, store
from mamori.hotline.model import Filer, Harm, Outcome, Status
from mamori.notices import service as notices

LETTER_KIND = "hotline_letter"


@dataclass(frozen=True)
class ReportForm:
    """A report as the desk or the public form receives it. Of the child: only whether the person harmed
    is a child, their age (turned into a band, not kept) and their consent — nothing else is asked."""

    content_url: str
    content_text: str
    harm: str
    filer: str
    filer_name: str
    filer_email: str
    filer_phone: str = ""
    relation: str = ""
    platform: str = ""  # a platform slug of the desk's list, or empty when unknown
    child: bool = False
    child_age: int | None = None
    child_consent: bool = False


@dataclass(frozen=True)
class NewPlatform:
    slug: str
    name: str
    delivery: str  # api, letter
    api_url: str = ""
    api_key: str = ""
    remote_service: str = ""
    contact_email: str = ""
    lang: str = "ja"


@dataclass(frozen=True)
class Reporter:
    filer: str
    relation: str
    name: str
    email: str
    phone: str
    child_age_band: str | None
    child_consent: bool | None
    received_at: dt.datetime
    earlier_reports: int
    earlier_not_qualifying: int


@dataclass(frozen=True)
class ReportView:
    report: store.HotlineReportRow
    content_text: str
    platform: store.HotlinePlatformRow | None
    reporters: list[Reporter]
    notices: list[store.HotlineNoticeRow]


@dataclass(frozen=True)
class PlatformFigures:
    platform: str
    notified: int
    removed: int
    not_removed: int

    @property
    def removal_share(self) -> float | None:
        return self.removed / self.notified if self.notified else None


@dataclass(frozen=True)
class Figures:
    """What a hotline publishes for a year (JST)."""

    year: int
    contacts: int  # every report received, identical ones included
    reports: int  # distinct posts
    assessed: int
    qualifying: int
    notified: int
    removed: int
    platforms: list[PlatformFigures] = field(default_factory=list)
    reasons: list[tuple[str, int]] = field(default_factory=list)

    @property
    def qualifying_share(self) -> float | None:
        return self.qualifying / self.assessed if self.assessed else None

    @property
    def removal_share(self) -> float | None:
        return self.removed / self.notified if self.notified else None


def sealer_for(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key, purpose="hotline")


def _invalid(field_name: str, ja: str, en: str) -> DomainError:
    return DomainError(code="invalid", field=field_name, ja=ja, en=en)


def _need(by: Actor, permission: str) -> None:
    if not by.may(permission):
        raise Forbidden()


def _bounded(name: str, value: str, limit: int, *, single_line: bool = True) -> str:
    refuse_control_characters(value, field=name, single_line=single_line)
    if len(value) > limit:
        raise _invalid(name, f"{limit}文字以内にしてください。", f"At most {limit} characters.")
    return value.strip()


# ---------------------------------------------------------------- platforms


def add_platform(
    new: NewPlatform, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.HotlinePlatformRow:
    """A platform the desk notifies: over its mamori (api url + the key it issued, sealed at rest) or by letter."""
    _need(by, "hotline.desk")
    slug = _bounded("slug", new.slug, 60).lower()
    if not slug or not slug.replace("-", "").isalnum():
        raise _invalid("slug", "識別子は英数字とハイフンです。", "Use letters, digits and hyphens.")
    name = _bounded("name", new.name, 200)
    if not name:
        raise _invalid("name", "名称を入力してください。", "Enter the platform's name.")
    if new.delivery not in ("api", "letter"):
        raise _invalid("delivery", "送り方は api か letter です。", "Delivery is api or letter.")
    api_url = _bounded("api_url", new.api_url, 500)
    if new.delivery == "api":
        if urlparse(api_url).scheme not in ("http", "https") or not urlparse(api_url).netloc:
            raise _invalid(
                "api_url",
                "mamori の URL (https://…) を入力してください。",
                "Enter the platform's mamori URL (https://…).",
            )
        if not new.api_key.strip() or not new.remote_service.strip():
            raise _invalid(
                "api_key", "鍵とサービスの識別子を入力してください。", "Enter the key and the service's id."
            )
    elif "@" not in new.contact_email:
        raise _invalid(
            "contact_email",
            "通知先のメールアドレスを入力してください。",
            "Enter the address the letter goes to.",
        )
    if new.lang not in ("ja", "en"):
        raise _invalid("lang", "言語は ja か en です。", "The language is ja or en.")
    if store.platform_by_slug(db, slug) is not None:
        raise Conflict(
            "platform_exists", f"{slug} は登録済みです。", f"{slug} is already registered.", "slug"
        )
    row = store.HotlinePlatformRow(
        slug=slug,
        name=name,
        delivery=new.delivery,
        api_url=api_url,
        remote_service=_bounded("remote_service", new.remote_service, 60),
        contact_email=_bounded("contact_email", new.contact_email, 320),
        lang=new.lang,
        created_at=at,
    )
    db.add(row)
    db.flush()
    if new.api_key.strip():
        row.api_key_sealed = sealer_for(settings).seal(
            new.api_key.strip(), bound_to=f"hotline-platform:{row.id}:key"
        )
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.platform_added",
        subject_type="hotline_platform",
        subject_id=row.id,
    )
    return row


def set_platform_key(
    slug: str, api_key: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> None:
    """Replace the key a platform issued (after it rotated or revoked the old one)."""
    _need(by, "hotline.desk")
    row = store.platform_by_slug(db, slug)
    if row is None:
        raise NotFound("platform", slug)
    row.api_key_sealed = sealer_for(settings).seal(
        _bounded("api_key", api_key, 200), bound_to=f"hotline-platform:{row.id}:key"
    )
    audit.record(
        db, at=at, actor=by, action="hotline.platform_key", subject_type="hotline_platform", subject_id=row.id
    )


def list_platforms(db: Session) -> list[store.HotlinePlatformRow]:
    return store.platforms(db)


def platform_key(row: store.HotlinePlatformRow, settings: Settings) -> str:
    if row.api_key_sealed is None:
        raise _invalid(
            "api_key",
            "このプラットフォームの鍵が登録されていません。",
            "No key is registered for this platform.",
        )
    return str(sealer_for(settings).open(row.api_key_sealed, bound_to=f"hotline-platform:{row.id}:key"))


# ---------------------------------------------------------------- reports


def file_report(
    form: ReportForm, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> tuple[store.HotlineReportRow, bool]:
    """Receive a report; returns (report, joined). A report of a post already reported joins that report
    as one more contact (many identical reports are one case to assess and one notice to send)."""
    url = _bounded("content_url", form.content_url, 2000)
    if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
        raise _invalid(
            "content_url",
            "投稿の URL を https:// から入力してください。",
            "Enter the post's URL, starting with https://.",
        )
    text = _bounded("content_text", form.content_text, 5000, single_line=False)
    if not text:
        raise _invalid("content_text", "投稿の内容を入力してください。", "Enter what the post says.")
    try:
        harm, filer = Harm(form.harm), Filer(form.filer)
    except ValueError:
        raise _invalid(
            "filer", "通報者の種類と被害の種類を選んでください。", "Choose who files and the kind of harm."
        ) from None
    name = _bounded("filer_name", form.filer_name, 200)
    email = _bounded("filer_email", form.filer_email, 320)
    phone = _bounded("filer_phone", form.filer_phone, 30)
    relation = _bounded("relation", form.relation, 100)
    if not name or "@" not in email:
        raise _invalid(
            "filer_email",
            "お名前と連絡先メールアドレスを入力してください。",
            "Enter your name and e-mail address.",
        )
    if filer is not Filer.SELF and not relation:
        raise _invalid(
            "relation",
            "お子さんとの関係 (例: 母、担任) を入力してください。",
            "Enter your relation to the child (e.g. mother, class teacher).",
        )
    try:
        facts = model.child_facts(
            filer,
            child=form.child,
            age=form.child_age,
            child_consent=form.child_consent,
            consent_age=settings.hotline_child_consent_age,
        )
    except model.ChildRuleError as exc:
        raise _invalid(exc.field, exc.ja, exc.en) from None
    key = model.reporter_key(settings.secret_key, email)
    since = at - dt.timedelta(days=1)
    recent = db.scalar(
        select(func.count())
        .select_from(store.HotlineReporterRow)
        .where(store.HotlineReporterRow.reporter_key == key, store.HotlineReporterRow.received_at > since)
    )
    if (recent or 0) >= settings.hotline_reports_per_reporter_per_day:
        raise DomainError(
            code="reporter_limit",
            status=429,
            field="filer_email",
            ja="24時間に受け付けられる通報の数を超えました。明日もう一度お送りください。",
            en="You have sent as many reports as we take in 24 hours. Please send more tomorrow.",
        )
    platform = store.platform_by_slug(db, form.platform) if form.platform else None
    sealer = sealer_for(settings)
    report = store.report_by_key(db, model.content_key(url))
    joined = report is not None
    if report is None:
        year_start = dt.datetime(to_jst(at).year, 1, 1, tzinfo=JST)
        count = db.scalar(
            select(func.count())
            .select_from(store.HotlineReportRow)
            .where(store.HotlineReportRow.received_at >= year_start)
        )
        report = store.HotlineReportRow(
            number=model.report_number(to_jst(at), (count or 0) + 1),
            content_url=url,
            content_key=model.content_key(url),
            platform_id=platform.id if platform else None,
            harm=harm.value,
            content_text_sealed="",
            received_at=at,
            status=Status.RECEIVED.value,
            contacts=0,
        )
        db.add(report)
        db.flush()
        report.content_text_sealed = sealer.seal(text, bound_to=f"hotline-report:{report.id}:text")
    elif report.platform_id is None and platform is not None:
        report.platform_id = platform.id
    report.contacts += 1
    reporter = store.HotlineReporterRow(
        report_id=report.id,
        filer=filer.value,
        relation=relation,
        contact_sealed="",
        reporter_key=key,
        child=form.child,
        child_age_band=facts.band,
        child_consent=facts.consent,
        received_at=at,
    )
    db.add(reporter)
    db.flush()
    reporter.contact_sealed = sealer.seal(
        {"name": name, "email": email, "phone": phone}, bound_to=f"hotline-reporter:{reporter.id}:contact"
    )
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.report",
        subject_type="hotline_report",
        subject_id=report.id,
        joined=joined,
        filer=filer.value,
    )
    return report, joined


def list_reports(*, db: Session, by: Actor) -> list[store.HotlineReportRow]:
    _need(by, "hotline.read")
    return store.reports(db)


def _report(db: Session, report_id: str) -> store.HotlineReportRow:
    row = db.get(store.HotlineReportRow, report_id)
    if row is None:
        raise NotFound("report", report_id)
    return row


def read_report(report_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor) -> ReportView:
    """The report with who filed it (decrypted: an audited read of personal data) and each reporter's
    record of earlier reports and how many did not qualify, for the staff who assess."""
    _need(by, "hotline.read")
    report = _report(db, report_id)
    sealer = sealer_for(settings)
    reporters = []
    for row in store.reporters_of(db, report.id):
        contact = sealer.open(row.contact_sealed, bound_to=f"hotline-reporter:{row.id}:contact")
        earlier = {
            rep.id: rep for _r, rep in store.reporter_history(db, row.reporter_key) if rep.id != report.id
        }
        reporters.append(
            Reporter(
                filer=row.filer,
                relation=row.relation,
                name=contact["name"],
                email=contact["email"],
                phone=contact["phone"],
                child_age_band=row.child_age_band,
                child_consent=row.child_consent,
                received_at=row.received_at,
                earlier_reports=len(earlier),
                earlier_not_qualifying=sum(1 for rep in earlier.values() if rep.qualifies is False),
            )
        )
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.report_read",
        subject_type="hotline_report",
        subject_id=report.id,
        personal_data=True,
    )
    platform = db.get(store.HotlinePlatformRow, report.platform_id) if report.platform_id else None
    text = str(sealer.open(report.content_text_sealed, bound_to=f"hotline-report:{report.id}:text"))
    return ReportView(report, text, platform, reporters, store.notices_of(db, report.id))


def assess(
    report_id: str,
    assessment: model.Assessment,
    *,
    platform: str = "",
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> store.HotlineReportRow:
    """Record the hotline's criteria one by one; a report that does not qualify needs the reasoning."""
    _need(by, "hotline.desk")
    report = _report(db, report_id)
    if report.status in (Status.NOTIFIED.value, Status.CLOSED.value):
        raise Conflict(
            "already_notified",
            "通知済みの通報は判断を変えられません。",
            "A notified report cannot be reassessed.",
            "report",
        )
    note = _bounded("note", assessment.note, 5000, single_line=False)
    if not assessment.qualifies and not note:
        raise _invalid(
            "note", "基準に該当しない理由を書いてください。", "Write why the report does not qualify."
        )
    if platform:
        row = store.platform_by_slug(db, platform)
        if row is None:
            raise NotFound("platform", platform)
        report.platform_id = row.id
    report.identifiable_person = assessment.identifiable_person
    report.no_public_interest = assessment.no_public_interest
    report.beyond_tolerable = assessment.beyond_tolerable
    report.qualifies = assessment.qualifies
    report.not_qualifying_reason = assessment.reason
    report.assessment_note = note
    report.assessed_at, report.assessed_by = at, by.ident
    report.status = (Status.QUALIFYING if assessment.qualifies else Status.NOT_QUALIFYING).value
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.assessed",
        subject_type="hotline_report",
        subject_id=report.id,
        qualifies=assessment.qualifies,
        reason=assessment.reason,
    )
    return report


def letter_for(
    report: store.HotlineReportRow, platform: store.HotlinePlatformRow, text: str, settings: Settings
) -> tuple[str, str]:
    return model.compose_letter(
        platform.lang,
        hotline=settings.platform_name,
        platform=platform.name,
        number=report.number,
        url=report.content_url,
        text=text,
        note=report.assessment_note or "—",
    )


def notify(
    report_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.HotlineNoticeRow:
    """Notify the platform of a qualifying report: into its mamori (trusted channel) or by letter (mail)."""
    _need(by, "hotline.desk")
    report = _report(db, report_id)
    if report.qualifies is not True:
        raise Conflict(
            "not_qualifying",
            "基準に該当すると判断した通報だけを通知できます。",
            "Only a report assessed as qualifying can be notified.",
            "report",
        )
    if report.status == Status.NOTIFIED.value or store.notices_of(db, report.id):
        raise Conflict(
            "already_notified", "この通報は通知済みです。", "This report was already notified.", "report"
        )
    platform = db.get(store.HotlinePlatformRow, report.platform_id) if report.platform_id else None
    if platform is None:
        raise _invalid(
            "platform", "通知先のプラットフォームを選んでください。", "Choose the platform to notify."
        )
    text = str(
        sealer_for(settings).open(report.content_text_sealed, bound_to=f"hotline-report:{report.id}:text")
    )
    row = store.HotlineNoticeRow(
        report_id=report.id,
        platform_id=platform.id,
        delivery=platform.delivery,
        sent_at=at,
        sent_by=by.ident,
        follow_up_due_at=model.follow_up_due(at, settings.hotline_follow_up_days),
    )
    if platform.delivery == "api":
        answer = platform_client.send_request(
            platform.api_url,
            platform_key(platform, settings),
            {
                "service": platform.remote_service,
                "content_url": report.content_url,
                "content_text": text,
                "rights": [model.RIGHT_FOR_HARM[Harm(report.harm)]],
                "reason": "当ホットラインの基準 (特定の実在する人物について、公共性・公益性が明らかになく、"
                f"社会的評価を低下させる又は受忍限度を超える侮辱) に該当すると判断しました。{report.assessment_note}",
                "lang": "ja",
                "reference": report.number,
            },
            idempotency_key=f"hotline-{report.id}",
        )
        row.remote_id, row.remote_receipt, row.remote_stage = (
            answer["id"],
            answer["receipt_number"],
            answer["stage"],
        )
    else:
        subject, body = letter_for(report, platform, text, settings)
        queued = notices.queue(
            db,
            sealer=Sealer(settings.secret_key),
            case_id=None,
            kind=LETTER_KIND,
            recipient="platform",
            to_address=platform.contact_email,
            lang=platform.lang,
            subject=subject,
            body=body,
            dedupe_key=f"hotline:{report.id}:letter",
            at=at,
            ref=report.id,
        )
        row.outbox_notice_id = queued.id
    db.add(row)
    report.status = Status.NOTIFIED.value
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.notified",
        subject_type="hotline_report",
        subject_id=report.id,
        platform=platform.slug,
        delivery=platform.delivery,
    )
    return row


def check_answer(
    notice_id: str, *, db: Session, settings: Settings, at: dt.datetime, by: Actor
) -> store.HotlineNoticeRow:
    """Ask the platform's mamori where the request stands; a decision closes the report with its outcome."""
    _need(by, "hotline.desk")
    row = db.get(store.HotlineNoticeRow, notice_id)
    if row is None:
        raise NotFound("notice", notice_id)
    platform = db.get(store.HotlinePlatformRow, row.platform_id)
    if row.delivery != "api" or platform is None or row.remote_id is None:
        raise Conflict(
            "letter",
            "手紙で通知した通報は、回答を手で記録します。",
            "Record a letter's answer by hand.",
            "notice",
        )
    answer = platform_client.fetch_status(platform.api_url, platform_key(platform, settings), row.remote_id)
    row.last_checked_at, row.remote_stage = at, answer["stage"]
    outcome = model.outcome_of_measure(answer.get("outcome"))
    if outcome is not Outcome.PENDING and row.outcome == Outcome.PENDING.value:
        _settle(row, outcome, f"{answer.get('outcome')}", at, db)
    return row


def report_of_notice(notice_id: str, *, db: Session) -> str:
    row = db.get(store.HotlineNoticeRow, notice_id)
    if row is None:
        raise NotFound("notice", notice_id)
    return row.report_id


def record_answer(
    notice_id: str, outcome: str, note: str, *, db: Session, at: dt.datetime, by: Actor
) -> store.HotlineNoticeRow:
    """The platform's answer to a letter, recorded by the desk."""
    _need(by, "hotline.desk")
    row = db.get(store.HotlineNoticeRow, notice_id)
    if row is None:
        raise NotFound("notice", notice_id)
    if outcome not in (Outcome.REMOVED.value, Outcome.NOT_REMOVED.value):
        raise _invalid("outcome", "結果を選んでください。", "Choose the outcome.")
    _settle(row, Outcome(outcome), _bounded("note", note, 2000, single_line=False), at, db)
    audit.record(
        db,
        at=at,
        actor=by,
        action="hotline.answer",
        subject_type="hotline_report",
        subject_id=row.report_id,
        outcome=outcome,
    )
    return row


def _settle(row: store.HotlineNoticeRow, outcome: Outcome, note: str, at: dt.datetime, db: Session) -> None:
    row.outcome, row.answered_at, row.answer_note = outcome.value, at, note
    report = _report(db, row.report_id)
    report.status = Status.CLOSED.value


def check_open_answers(*, db: Session, settings: Settings, at: dt.datetime) -> int:
    """Worker job: ask each platform's mamori about every notice still waiting; errors are kept on the notice."""
    checked = 0
    for row in store.open_notices(db):
        if row.delivery != "api":
            continue
        try:
            check_answer(row.id, db=db, settings=settings, at=at, by=Actor.system())
            row.last_error = None
        except DomainError as exc:
            row.last_error, row.last_checked_at = exc.en, at
        checked += 1
    return checked


def follow_up_overdue(row: store.HotlineNoticeRow, now: dt.datetime) -> bool:
    """The follow-up clock: no answer yet and the follow-up date has passed."""
    return row.outcome == Outcome.PENDING.value and now > row.follow_up_due_at


# ---------------------------------------------------------------- figures


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime(year, 1, 1, tzinfo=JST), dt.datetime(year + 1, 1, 1, tzinfo=JST)


def figures(year: int, *, db: Session) -> Figures:
    """Contacts, qualifying share, removal share per platform and the reasons for not qualifying, in a year."""
    start, end = _year_bounds(year)
    reports = store.reports_between(db, start, end)
    contacts = len(store.reporters_between(db, start, end))
    assessed = [r for r in reports if r.qualifies is not None]
    notices_ = store.notices_for_reports(db, [r.id for r in reports])
    names = {p.id: p.name for p in store.platforms(db)}
    per: dict[str, list[store.HotlineNoticeRow]] = {}
    for n in notices_:
        per.setdefault(names.get(n.platform_id, "?"), []).append(n)
    platforms = [
        PlatformFigures(
            name,
            len(rows),
            sum(1 for n in rows if n.outcome == Outcome.REMOVED.value),
            sum(1 for n in rows if n.outcome == Outcome.NOT_REMOVED.value),
        )
        for name, rows in sorted(per.items())
    ]
    reasons = Counter(r.not_qualifying_reason for r in assessed if r.not_qualifying_reason)
    return Figures(
        year=year,
        contacts=contacts,
        reports=len(reports),
        assessed=len(assessed),
        qualifying=sum(1 for r in assessed if r.qualifies),
        notified=len(notices_),
        removed=sum(1 for n in notices_ if n.outcome == Outcome.REMOVED.value),
        platforms=platforms,
        reasons=[(k, reasons[k]) for k in model.NOT_QUALIFYING_REASON.values() if reasons[k]],
    )


def council_cells(year: int, *, db: Session) -> dict[str, Counter[str]]:
    """The desk's counts in the liaison council's dimensions (month, harm, service, outcome, referral)."""
    start, end = _year_bounds(year)
    reports = store.reports_between(db, start, end)
    reporters = store.reporters_between(db, start, end)
    slugs = {p.id: p.slug for p in store.platforms(db)}
    outcomes = {n.report_id: n.outcome for n in store.notices_for_reports(db, [r.id for r in reports])}
    by_report = {r.id: r for r in reports}
    cells: dict[str, Counter[str]] = {
        d: Counter() for d in ("month", "harm", "service", "outcome", "referral")
    }
    for contact in reporters:
        cells["month"][f"{to_jst(contact.received_at):%Y-%m}"] += 1
    for r in by_report.values():
        cells["harm"][r.harm] += 1
        cells["service"][slugs.get(r.platform_id or "", "unknown")] += 1
        if r.qualifies is False:
            cells["outcome"]["not_qualifying"] += 1
        elif r.id in outcomes:
            cells["outcome"][f"notified_{outcomes[r.id]}"] += 1
        else:
            cells["outcome"]["open"] += 1
    return cells
