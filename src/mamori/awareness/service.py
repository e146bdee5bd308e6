"""Awareness use cases: count what the prompt led to, take lecture requests, match them, report them.

Services never commit. Who may act on which lecture is decided here (a coordinator matches any
request; an instructor reports only the lectures matched to them), so the pages, the CLI and any
future API get the same answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mamori.awareness.model import (
    MAX_AUDIENCE_SIZE,
    MAX_DATE_OPTIONS,
    MAX_MESSAGE_CHARS,
    MAX_REPORT_CHARS,
    PREFECTURE,
    REQUEST_HORIZON,
    SITE_ID,
    Audience,
    InstructorProfile,
    LectureStatus,
    PromptEvent,
    Suggestion,
    Topic,
    fiscal_year,
    jst_day,
    prefecture_name,
    suggest_instructors,
)
from mamori.awareness.store import InstructorRow, LectureRequestRow, PromptCountRow
from mamori.core import audit, auth
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.crypto import Sealer
from mamori.core.db import new_id
from mamori.core.errors import DomainError, FieldProblem, Forbidden, NotFound
from mamori.core.text import text_problem
from mamori.notices import service as notices

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
PHONE = re.compile(r"^[0-9+()\- ]{6,20}$")


# ---------------------------------------------------------------- the prompt's counts


def record_prompt_event(kind: str, site: str, *, db: Session, at: dt.datetime) -> None:
    """Count one prompt event for a site on today's date in Japan. Nothing else is kept: no text,
    no address, no time of day."""
    try:
        event = PromptEvent(kind)
    except ValueError:
        raise DomainError(
            code="unknown_event",
            field="kind",
            ja="kind は shown, edited, posted_anyway のいずれかです。",
            en="kind must be one of shown, edited, posted_anyway.",
        ) from None
    if not SITE_ID.match(site):
        raise DomainError(
            code="bad_site",
            field="site",
            ja="site は英小文字・数字・. _ - で64文字までです。",
            en="site must be at most 64 lower-case letters, digits, '.', '_' or '-'.",
        )
    # One atomic upsert (INSERT … ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike): concurrent
    # events of the same site and day add up instead of racing to create the row.
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PromptCountRow).values(
        id=new_id(), day=jst_day(at), site=site, kind=event.value, count=1
    )
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "site", "kind"], set_={"count": PromptCountRow.count + 1}
        )
    )


@dataclass(frozen=True)
class PromptFigures:
    days: list[dt.date]
    by_day: dict[dt.date, dict[str, int]]
    totals: dict[str, int]
    sites: list[str]

    @property
    def edited_share(self) -> float | None:
        """Of the prompts shown, the share that led the writer to edit."""
        shown = self.totals.get(PromptEvent.SHOWN.value, 0)
        return self.totals.get(PromptEvent.EDITED.value, 0) / shown if shown else None


def prompt_figures(*, db: Session, since: dt.date, until: dt.date, site: str = "") -> PromptFigures:
    """Counts per day and kind between two days (inclusive), for one site or all."""
    query = select(PromptCountRow).where(PromptCountRow.day >= since, PromptCountRow.day <= until)
    if site:
        query = query.where(PromptCountRow.site == site)
    rows = db.scalars(query).all()
    days = [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]
    by_day: dict[dt.date, dict[str, int]] = {d: {k.value: 0 for k in PromptEvent} for d in days}
    totals = {k.value: 0 for k in PromptEvent}
    for row in rows:
        by_day[row.day][row.kind] = by_day[row.day].get(row.kind, 0) + row.count
        totals[row.kind] = totals.get(row.kind, 0) + row.count
    all_sites = db.scalars(select(PromptCountRow.site).distinct().order_by(PromptCountRow.site)).all()
    return PromptFigures(days, by_day, totals, list(all_sites))


# ---------------------------------------------------------------- lecture requests


@dataclass
class LectureRequestForm:
    """What a school or a parents' group fills in (raw strings, as the form sends them)."""

    organisation: str = ""
    prefecture: str = ""
    city: str = ""
    audience: str = ""
    audience_size: str = ""
    topics: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    message: str = ""
    lang: str = "ja"


def _problem(name: str, ja: str, en: str) -> FieldProblem:
    return FieldProblem(name, ja, en)


def _text_field(
    problems: list[FieldProblem],
    name: str,
    value: str,
    limit: int,
    ja: str,
    en: str,
    *,
    required: bool = True,
) -> str:
    value = value.strip()
    if required and not value:
        problems.append(_problem(name, f"{ja}を入力してください。", f"Enter {en}."))
    elif len(value) > limit:
        problems.append(
            _problem(name, f"{ja}は{limit}文字以内にしてください。", f"Keep {en} to {limit} characters.")
        )
    elif value and text_problem(value, single_line=name != "message") is not None:
        problems.append(
            _problem(
                name,
                f"{ja}に使えない文字があります。",
                f"{en.capitalize()} contains characters we cannot accept.",
            )
        )
    return value


def check_request(form: LectureRequestForm, *, today: dt.date) -> dict[str, object]:
    """The request's values, checked; a DomainError naming every field at fault (ja and en)."""
    p: list[FieldProblem] = []
    out: dict[str, object] = {}
    out["organisation"] = _text_field(
        p, "organisation", form.organisation, 200, "学校・団体名", "the school or group"
    )
    if form.prefecture not in PREFECTURE:
        p.append(_problem("prefecture", "都道府県を選んでください。", "Choose the prefecture."))
    out["prefecture"] = form.prefecture
    out["city"] = _text_field(p, "city", form.city, 100, "市区町村", "the city, ward, town or village")
    if form.audience not in {a.value for a in Audience}:
        p.append(_problem("audience", "対象を選んでください。", "Choose who the lecture is for."))
    out["audience"] = form.audience
    size = form.audience_size.strip()
    if not size.isdigit() or not 1 <= int(size) <= MAX_AUDIENCE_SIZE:
        p.append(
            _problem(
                "audience_size",
                f"人数は1から{MAX_AUDIENCE_SIZE}までの数字で入力してください。",
                f"Enter the number of people, from 1 to {MAX_AUDIENCE_SIZE}.",
            )
        )
    out["audience_size"] = int(size) if size.isdigit() else 0
    topics = [t for t in dict.fromkeys(form.topics) if t]
    if not topics or any(t not in {x.value for x in Topic} for t in topics):
        p.append(_problem("topics", "テーマを1つ以上選んでください。", "Choose at least one topic."))
    out["topics"] = topics
    dates: list[dt.date] = []
    bad_date = False
    for raw in [d.strip() for d in form.dates if d.strip()][: MAX_DATE_OPTIONS + 1]:
        try:
            dates.append(dt.date.fromisoformat(raw))
        except ValueError:
            bad_date = True
    if bad_date or not dates or len(dates) > MAX_DATE_OPTIONS:
        p.append(
            _problem(
                "dates",
                f"希望日を1つから{MAX_DATE_OPTIONS}つ、日付で入力してください。",
                f"Give one to {MAX_DATE_OPTIONS} preferred dates.",
            )
        )
    elif any(d <= today or d > today + REQUEST_HORIZON for d in dates):
        p.append(
            _problem(
                "dates",
                "希望日は明日から1年以内の日にしてください。",
                "Preferred dates must be from tomorrow to one year ahead.",
            )
        )
    out["dates"] = sorted(set(dates))
    out["contact_name"] = _text_field(
        p, "contact_name", form.contact_name, 200, "担当者名", "the contact's name"
    )
    email = form.contact_email.strip()
    if not EMAIL.match(email) or len(email) > 320:
        p.append(
            _problem(
                "contact_email", "メールアドレスを正しく入力してください。", "Enter a valid e-mail address."
            )
        )
    out["contact_email"] = email
    phone = form.contact_phone.strip()
    if phone and not PHONE.match(phone):
        p.append(
            _problem(
                "contact_phone",
                "電話番号は数字とハイフンで入力してください。",
                "Enter the phone number in digits.",
            )
        )
    out["contact_phone"] = phone
    out["message"] = _text_field(
        p, "message", form.message, MAX_MESSAGE_CHARS, "連絡事項", "the message", required=False
    )
    if p:
        raise DomainError(
            code="invalid_lecture_request",
            ja="入力内容を確認してください。",
            en="Please check the form.",
            field=p[0].field,
            problems=p,
        )
    return out


def _sealer(settings: Settings) -> Sealer:
    return Sealer(settings.secret_key)


def _topics_text(topics: list[str] | tuple[str, ...], lang: str) -> str:
    from mamori.awareness.model import TOPIC_LABEL
    from mamori.core.i18n import translate

    return (", " if lang == "en" else "、").join(
        translate(TOPIC_LABEL[Topic(t)], lang) for t in topics if t in {x.value for x in Topic}
    )


def request_lecture(
    form: LectureRequestForm, *, db: Session, settings: Settings, at: dt.datetime
) -> LectureRequestRow:
    """Take a lecture request and send its contact a receipt (in the outbox, same transaction)."""
    values = check_request(form, today=jst_day(at))
    dates: list[dt.date] = values["dates"]  # type: ignore[assignment]
    topics: list[str] = values["topics"]  # type: ignore[assignment]
    row = LectureRequestRow(
        created_at=at,
        status=LectureStatus.REQUESTED.value,
        organisation=str(values["organisation"]),
        prefecture=str(values["prefecture"]),
        city=str(values["city"]),
        audience=str(values["audience"]),
        audience_size=int(values["audience_size"]),  # type: ignore[call-overload]
        topics=",".join(topics),
        date_options=",".join(d.isoformat() for d in dates),
        contact_name=str(values["contact_name"]),
        contact_email=str(values["contact_email"]),
        contact_phone=str(values["contact_phone"]),
        message=str(values["message"]),
        lang="en" if form.lang == "en" else "ja",
    )
    db.add(row)
    db.flush()
    dates_text = ", ".join(d.isoformat() for d in dates)
    body_ja = (
        f"{row.contact_name} 様\n\ne-ネットキャラバン講座のお申し込みを受け付けました。\n"
        f"団体: {row.organisation}\n希望日: {dates_text}\nテーマ: {_topics_text(topics, 'ja')}\n"
        f"受付番号: {row.id[:8]}\n\n講師が決まりしだい、あらためてご連絡します。\n"
    )
    body_en = (
        f"Dear {row.contact_name},\n\nWe have received your request for an e-Net Caravan lecture.\n"
        f"Group: {row.organisation}\nPreferred dates: {dates_text}\nTopics: {_topics_text(topics, 'en')}\n"
        f"Reference: {row.id[:8]}\n\nWe will write again once an instructor is confirmed.\n"
    )
    notices.queue(
        db,
        sealer=_sealer(settings),
        case_id=None,
        kind="lecture_request_received",
        recipient="requester",
        to_address=row.contact_email,
        lang=row.lang,
        subject="e-ネットキャラバン講座のお申し込みを受け付けました / Lecture request received",
        body=f"{body_ja}\n――――― English ―――――\n\n{body_en}",
        dedupe_key=f"awareness:{row.id}:received",
        at=at,
        ref=f"lecture:{row.id}",
    )
    return row


def get_request(request_id: str, *, db: Session) -> LectureRequestRow:
    row = db.get(LectureRequestRow, request_id)
    if row is None:
        raise NotFound("講座の申込 / lecture request", request_id[:8])
    return row


def read_request(request_id: str, *, db: Session, actor: Actor, at: dt.datetime) -> LectureRequestRow:
    """A request with its contact details, for the coordinator or the instructor it is matched to;
    the read is audited (personal data)."""
    row = get_request(request_id, db=db)
    if not actor.may("lecture.coordinate"):
        mine = instructor_of(actor, db=db)
        if mine is None or row.instructor_id != mine.id:
            raise Forbidden()
    audit.record(
        db,
        at=at,
        actor=actor,
        action="lecture.read",
        subject_type="lecture_request",
        subject_id=row.id,
        personal_data=True,
    )
    return row


def list_requests(*, db: Session, actor: Actor, status: str = "") -> list[LectureRequestRow]:
    """Requests, newest first (coordinator): no contact details are shown in the list."""
    if not actor.may("lecture.coordinate"):
        raise Forbidden()
    query = select(LectureRequestRow).order_by(LectureRequestRow.created_at.desc()).limit(500)
    if status:
        query = query.where(LectureRequestRow.status == status)
    return list(db.scalars(query))


def date_options(row: LectureRequestRow) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(d) for d in row.date_options.split(",") if d)


def topics_of(row: LectureRequestRow | InstructorRow) -> tuple[str, ...]:
    return tuple(t for t in row.topics.split(",") if t)


# ---------------------------------------------------------------- instructors


@dataclass(frozen=True)
class InstructorView:
    row: InstructorRow
    name: str
    email: str
    load: int


def _profile_values(
    prefecture: str, topics: list[str], weekdays: list[str], note: str
) -> tuple[str, str, str, str]:
    p: list[FieldProblem] = []
    if prefecture not in PREFECTURE:
        p.append(
            _problem("prefecture", "地域 (都道府県) を選んでください。", "Choose the region (prefecture).")
        )
    topic_values = [t for t in dict.fromkeys(topics) if t]
    if not topic_values or any(t not in {x.value for x in Topic} for t in topic_values):
        p.append(
            _problem("topics", "担当できるテーマを1つ以上選んでください。", "Choose at least one topic.")
        )
    days = sorted({w for w in weekdays if w in {str(i) for i in range(7)}})
    if not days or len(days) != len(set(weekdays)):
        p.append(
            _problem("weekdays", "講座ができる曜日を1つ以上選んでください。", "Choose at least one weekday.")
        )
    note = _text_field(p, "note", note, 1000, "メモ", "the note", required=False)
    if p:
        raise DomainError(
            code="invalid_instructor",
            ja="入力内容を確認してください。",
            en="Please check the form.",
            field=p[0].field,
            problems=p,
        )
    return prefecture, ",".join(topic_values), ",".join(days), note


def create_instructor(
    *,
    email: str,
    name: str,
    password: str,
    prefecture: str,
    topics: list[str],
    weekdays: list[str],
    note: str = "",
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> InstructorRow:
    """The coordinator creates an instructor's account (role instructor) and their profile."""
    if not by.may("lecture.coordinate"):
        raise Forbidden()
    values = _profile_values(prefecture, topics, weekdays, note)
    if not EMAIL.match(email.strip()):
        raise DomainError(
            code="bad_email",
            field="email",
            ja="メールアドレスを正しく入力してください。",
            en="Enter a valid e-mail address.",
        )
    if not name.strip() or len(name) > 200:
        raise DomainError(code="bad_name", field="name", ja="氏名を入力してください。", en="Enter the name.")
    user = auth.create_user(email, name.strip(), ["instructor"], password, db=db, at=at, by=by)
    row = InstructorRow(
        user_id=user.id,
        prefecture=values[0],
        topics=values[1],
        weekdays=values[2],
        note=values[3],
        active=True,
        created_at=at,
        updated_at=at,
    )
    db.add(row)
    db.flush()
    audit.record(
        db, at=at, actor=by, action="instructor.create", subject_type="instructor", subject_id=row.id
    )
    return row


def instructor_of(actor: Actor, *, db: Session) -> InstructorRow | None:
    if actor.user_id is None:
        return None
    return db.scalar(select(InstructorRow).where(InstructorRow.user_id == actor.user_id))


def update_own_profile(
    *,
    prefecture: str,
    topics: list[str],
    weekdays: list[str],
    note: str,
    active: bool,
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> InstructorRow:
    """An instructor updates their own region, topics and availability (nobody else's)."""
    row = instructor_of(by, db=db)
    if row is None or not by.may("lecture.teach"):
        raise Forbidden()
    row.prefecture, row.topics, row.weekdays, row.note = _profile_values(prefecture, topics, weekdays, note)
    row.active, row.updated_at = active, at
    db.flush()
    audit.record(
        db, at=at, actor=by, action="instructor.update", subject_type="instructor", subject_id=row.id
    )
    return row


def _loads(db: Session, today: dt.date) -> tuple[Counter[str], dict[str, set[dt.date]]]:
    load: Counter[str] = Counter()
    busy: dict[str, set[dt.date]] = {}
    rows = db.execute(
        select(LectureRequestRow.instructor_id, LectureRequestRow.lecture_date).where(
            LectureRequestRow.status == LectureStatus.MATCHED.value
        )
    ).all()
    for instructor_id, day in rows:
        if instructor_id and day:
            busy.setdefault(instructor_id, set()).add(day)
            if day >= today:
                load[instructor_id] += 1
    return load, busy


def list_instructors(*, db: Session, actor: Actor, at: dt.datetime) -> list[InstructorView]:
    """Every instructor with name, e-mail and lectures still to give (coordinator)."""
    if not actor.may("lecture.coordinate"):
        raise Forbidden()
    load, _busy = _loads(db, jst_day(at))
    rows = db.execute(
        select(InstructorRow, auth.UserRow)
        .join(auth.UserRow, auth.UserRow.id == InstructorRow.user_id)
        .order_by(auth.UserRow.display_name)
    ).all()
    return [InstructorView(i, u.display_name, u.email, load[i.id]) for i, u in rows]


def suggestions(row: LectureRequestRow, *, db: Session, at: dt.datetime) -> list[Suggestion]:
    """Instructors suggested for a request (region, topic, free on a date, load): a person confirms."""
    load, busy = _loads(db, jst_day(at))
    profiles = [
        InstructorProfile(
            id=i.id,
            name=u.display_name,
            prefecture=i.prefecture,
            topics=frozenset(Topic(t) for t in topics_of(i) if t in {x.value for x in Topic}),
            weekdays=frozenset(int(w) for w in i.weekdays.split(",") if w),
            active=i.active,
            load=load[i.id],
            busy_days=frozenset(busy.get(i.id, set())),
        )
        for i, u in db.execute(
            select(InstructorRow, auth.UserRow).join(auth.UserRow, auth.UserRow.id == InstructorRow.user_id)
        ).all()
    ]
    return suggest_instructors(
        profiles,
        prefecture=row.prefecture,
        topics=frozenset(Topic(t) for t in topics_of(row) if t in {x.value for x in Topic}),
        dates=date_options(row),
    )


def match(
    request_id: str,
    *,
    instructor_id: str,
    lecture_date: str,
    db: Session,
    settings: Settings,
    at: dt.datetime,
    by: Actor,
) -> LectureRequestRow:
    """The coordinator confirms an instructor and one of the offered dates; both sides get a mail."""
    if not by.may("lecture.coordinate"):
        raise Forbidden()
    row = get_request(request_id, db=db)
    if row.status != LectureStatus.REQUESTED.value:
        raise DomainError(
            code="already_matched",
            status=409,
            ja="この申込はすでに講師が決まっています。",
            en="This request already has an instructor.",
        )
    try:
        day = dt.date.fromisoformat(lecture_date)
    except ValueError:
        day = None
    if day is None or day not in date_options(row):
        raise DomainError(
            code="bad_date",
            field="lecture_date",
            ja="希望日の中から選んでください。",
            en="Choose one of the preferred dates.",
        )
    instructor = db.get(InstructorRow, instructor_id)
    if instructor is None or not instructor.active:
        raise DomainError(
            code="bad_instructor",
            field="instructor_id",
            ja="講師を選んでください。",
            en="Choose an instructor.",
        )
    _load, busy = _loads(db, jst_day(at))
    if day in busy.get(instructor.id, set()):
        raise DomainError(
            code="instructor_busy",
            field="instructor_id",
            status=409,
            ja="この講師はその日に別の講座があります。",
            en="This instructor has another lecture on that day.",
        )
    user = db.get(auth.UserRow, instructor.user_id)
    assert user is not None
    row.status, row.instructor_id, row.lecture_date = LectureStatus.MATCHED.value, instructor.id, day
    row.matched_at, row.matched_by = at, by.ident
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by,
        action="lecture.match",
        subject_type="lecture_request",
        subject_id=row.id,
        instructor=instructor.id,
        date=day.isoformat(),
    )
    topics_ja, topics_en = _topics_text(topics_of(row), "ja"), _topics_text(topics_of(row), "en")
    place_ja = f"{prefecture_name(row.prefecture, 'ja')} {row.city}"
    place_en = f"{row.city}, {prefecture_name(row.prefecture, 'en')}"
    sealer = _sealer(settings)
    notices.queue(
        db,
        sealer=sealer,
        case_id=None,
        kind="lecture_matched",
        recipient="requester",
        to_address=row.contact_email,
        lang=row.lang,
        subject="e-ネットキャラバン講座の講師が決まりました / Your lecture is confirmed",
        body=(
            f"{row.contact_name} 様\n\n講座の日程と講師が決まりました。\n日程: {day.isoformat()}\n"
            f"講師: {user.display_name}\nテーマ: {topics_ja}\n受付番号: {row.id[:8]}\n\n"
            "――――― English ―――――\n\n"
            f"Dear {row.contact_name},\n\nYour lecture is confirmed.\nDate: {day.isoformat()}\n"
            f"Instructor: {user.display_name}\nTopics: {topics_en}\nReference: {row.id[:8]}\n"
        ),
        dedupe_key=f"awareness:{row.id}:matched:requester",
        at=at,
        ref=f"lecture:{row.id}",
    )
    base = settings.base_url.rstrip("/")
    notices.queue(
        db,
        sealer=sealer,
        case_id=None,
        kind="lecture_matched",
        recipient="instructor",
        to_address=user.email,
        lang="ja",
        subject="e-ネットキャラバン講座の担当が決まりました / A lecture has been assigned to you",
        body=(
            f"{user.display_name} 様\n\n講座を担当していただくことになりました。\n日程: {day.isoformat()}\n"
            f"団体: {row.organisation} ({place_ja})\n対象: {row.audience} / {row.audience_size}人\n"
            f"テーマ: {topics_ja}\n連絡先: {row.contact_name} <{row.contact_email}> {row.contact_phone}\n"
            f"詳細と実施報告: {base}/awareness/lectures/mine\n\n"
            "――――― English ―――――\n\n"
            f"Dear {user.display_name},\n\nA lecture has been assigned to you.\nDate: {day.isoformat()}\n"
            f"Group: {row.organisation} ({place_en})\nAudience: {row.audience} / {row.audience_size} people\n"
            f"Topics: {topics_en}\nContact: {row.contact_name} <{row.contact_email}> {row.contact_phone}\n"
            f"Details and the report: {base}/awareness/lectures/mine\n"
        ),
        dedupe_key=f"awareness:{row.id}:matched:instructor",
        at=at,
        ref=f"lecture:{row.id}",
    )
    return row


def my_lectures(*, db: Session, actor: Actor) -> tuple[InstructorRow | None, list[LectureRequestRow]]:
    """The instructor's own profile and the lectures matched to them, soonest first."""
    if not actor.may("lecture.teach"):
        raise Forbidden()
    mine = instructor_of(actor, db=db)
    if mine is None:
        return None, []
    rows = db.scalars(
        select(LectureRequestRow)
        .where(LectureRequestRow.instructor_id == mine.id)
        .order_by(LectureRequestRow.lecture_date)
    ).all()
    return mine, list(rows)


def record_report(
    request_id: str, *, attendance: str, report: str, db: Session, at: dt.datetime, by: Actor
) -> LectureRequestRow:
    """After the lecture, its instructor (only) records how many attended and a short report."""
    row = get_request(request_id, db=db)
    mine = instructor_of(by, db=db)
    if not by.may("lecture.teach") or mine is None or row.instructor_id != mine.id:
        raise Forbidden()
    if row.status != LectureStatus.MATCHED.value or row.lecture_date is None:
        raise DomainError(
            code="not_reportable",
            status=409,
            ja="この講座はすでに報告済みです。",
            en="This lecture has already been reported.",
        )
    if row.lecture_date > jst_day(at):
        raise DomainError(
            code="not_yet_given",
            field="attendance",
            ja="講座の日より後に報告してください。",
            en="Report after the day of the lecture.",
        )
    p: list[FieldProblem] = []
    value = attendance.strip()
    if not value.isdigit() or not 1 <= int(value) <= MAX_AUDIENCE_SIZE:
        p.append(
            _problem(
                "attendance",
                f"参加者数を1から{MAX_AUDIENCE_SIZE}までの数字で入力してください。",
                f"Enter the number who attended, from 1 to {MAX_AUDIENCE_SIZE}.",
            )
        )
    text = _text_field(p, "report", report, MAX_REPORT_CHARS, "報告", "the report")
    if p:
        raise DomainError(
            code="invalid_report",
            ja="入力内容を確認してください。",
            en="Please check the form.",
            field=p[0].field,
            problems=p,
        )
    row.attendance, row.report, row.reported_at = int(value), text, at
    row.status = LectureStatus.DONE.value
    db.flush()
    audit.record(
        db, at=at, actor=by, action="lecture.report", subject_type="lecture_request", subject_id=row.id
    )
    return row


# ---------------------------------------------------------------- statistics

DIMENSIONS = ("year", "prefecture", "audience", "topic")


@dataclass(frozen=True)
class LectureStats:
    lectures: int
    people: int
    by: dict[str, list[tuple[str, int, int]]]  # dimension -> (key, lectures, people), largest first


def lecture_statistics(*, db: Session, year: int | None = None) -> LectureStats:
    """Lectures given (reported) and people reached, by fiscal year, prefecture, audience and topic.
    A lecture on two topics counts once under each topic."""
    rows = db.scalars(
        select(LectureRequestRow).where(LectureRequestRow.status == LectureStatus.DONE.value)
    ).all()
    counts: dict[str, dict[str, list[int]]] = {d: {} for d in DIMENSIONS}
    lectures = people = 0
    for row in rows:
        if row.lecture_date is None:
            continue
        fy = fiscal_year(row.lecture_date)
        if year is not None and fy != year:
            continue
        attended = row.attendance or 0
        lectures += 1
        people += attended
        keys = {
            "year": [str(fy)],
            "prefecture": [row.prefecture],
            "audience": [row.audience],
            "topic": list(topics_of(row)),
        }
        for dimension, values in keys.items():
            for key in values:
                slot = counts[dimension].setdefault(key, [0, 0])
                slot[0] += 1
                slot[1] += attended
    by: dict[str, list[tuple[str, int, int]]] = {}
    for dimension, found in counts.items():
        items = [(k, v[0], v[1]) for k, v in found.items()]
        items.sort(key=(lambda t: t[0]) if dimension in ("year", "prefecture") else (lambda t: (-t[1], t[0])))
        by[dimension] = items
    return LectureStats(lectures, people, by)
