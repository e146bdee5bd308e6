"""awareness: the pages.

Public: the prompt's demo (/awareness/demo), the case book (/awareness/cases), the lecture request
form (/awareness/lectures/request). Staff: the prompt's figures (awareness.read), the coordinator's
requests, matches and instructors (lecture.coordinate), the instructor's lectures, profile and
reports (lecture.teach), the lecture statistics with charts and CSV (awareness.read).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from mamori.awareness import charts, service
from mamori.awareness.casebook import case_book, find_cases
from mamori.awareness.model import (
    AUDIENCE_LABEL,
    MAX_DATE_OPTIONS,
    PREFECTURES,
    TOPIC_LABEL,
    Audience,
    PromptEvent,
    Topic,
    fiscal_year,
    jst_day,
    prefecture_name,
)
from mamori.core.auth import Principal
from mamori.core.errors import DomainError, Forbidden
from mamori.core.i18n import translate
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, MaybePrincipal, rate_limit, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(include_in_schema=False)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_FIELD = 2000


def staff(permission: str) -> Any:
    """`staff_page(permission)` (403 without it); a signed-out visitor is sent to sign in."""
    page = staff_page(permission)

    def signed_in(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            target = urlencode({"next": request.url.path})
            raise HTTPException(status_code=303, headers={"Location": f"/login?{target}"})
        return principal

    return Depends(signed_in)


Reader = Annotated[Principal, staff("awareness.read")]
Coordinator = Annotated[Principal, staff("lecture.coordinate")]
Instructor = Annotated[Principal, staff("lecture.teach")]


def _choices(lang: str) -> dict[str, Any]:
    return {
        "topics": [(t.value, translate(TOPIC_LABEL[t], lang)) for t in Topic],
        "audiences": [(a.value, translate(AUDIENCE_LABEL[a], lang)) for a in Audience],
        "prefectures": [(code, en if lang == "en" else ja) for code, ja, en, _r in PREFECTURES],
        "weekdays": [(str(i), translate(name, lang)) for i, name in enumerate(WEEKDAYS)],
        "topic_label": lambda v: (
            translate(TOPIC_LABEL[Topic(v)], lang) if v in Topic._value2member_map_ else v
        ),
        "audience_label": lambda v: (
            translate(AUDIENCE_LABEL[Audience(v)], lang) if v in Audience._value2member_map_ else v
        ),
        "prefecture_name": lambda code: prefecture_name(code, "en" if lang == "en" else "ja"),
    }


def _page(
    request: Request, template: str, ctx: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    lang = page_lang(request)
    return render(request, template, {**_choices(lang), **(ctx or {})}, status_code=status_code)


def _errors(exc: DomainError, lang: str) -> dict[str, str]:
    problems = exc.problems or []
    out = {p.field: (p.en if lang == "en" else p.ja) for p in problems}
    if not out:
        out[exc.field or "form"] = exc.en if lang == "en" else exc.ja
    return out


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value[:MAX_FIELD] if isinstance(value, str) else ""


def _list(form: FormData, name: str) -> list[str]:
    return [v[:100] for v in form.getlist(name)[:20] if isinstance(v, str)]


# ---------------------------------------------------------------- the prompt: demo and figures


@router.get("/awareness/demo", dependencies=[PUBLIC])
def demo(request: Request) -> HTMLResponse:
    """A fake post box (labelled デモ) with the prompt, to try it and to copy the markup."""
    return _page(request, "awareness/demo.html", {"posted": False})


@router.post("/awareness/demo", dependencies=[PUBLIC])
def demo_posted(request: Request) -> HTMLResponse:
    """The fake post box's 'platform': says the post went through; the text is not read or kept."""
    return _page(request, "awareness/demo.html", {"posted": True})


@router.get("/awareness/prompt-figures")
def prompt_figures(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, site: str = ""
) -> HTMLResponse:
    """How often the prompt was shown, led to an edit, or was passed by: the last 30 days."""
    until = jst_day(clock.now())
    figures = service.prompt_figures(db=db, since=until - dt.timedelta(days=29), until=until, site=site[:64])
    return _page(
        request,
        "awareness/prompt_figures.html",
        {"figures": figures, "site": site[:64], "kinds": [k.value for k in PromptEvent]},
    )


@router.get("/awareness/prompt-figures.png")
def prompt_figures_chart(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, site: str = ""
) -> Response:
    until = jst_day(clock.now())
    figures = service.prompt_figures(db=db, since=until - dt.timedelta(days=29), until=until, site=site[:64])
    return Response(charts.prompt_chart(figures, page_lang(request)), media_type="image/png")


# ---------------------------------------------------------------- the case book


@router.get("/awareness/cases", dependencies=[PUBLIC])
def cases(request: Request, topic: str = "", age: str = "", q: str = "") -> HTMLResponse:
    """The インターネットトラブル事例集 for parents and teachers, searchable by topic and age group."""
    topic = topic if topic in Topic._value2member_map_ else ""
    age = age if age in Audience._value2member_map_ else ""
    found = find_cases(case_book(), topic=topic, age_group=age, query=q[:100])
    return _page(request, "awareness/cases.html", {"cases": found, "topic": topic, "age": age, "q": q[:100]})


@router.get("/awareness/cases/{case_id}", dependencies=[PUBLIC])
def case_page(request: Request, case_id: str) -> HTMLResponse:
    found = [c for c in case_book() if c.id == case_id]
    if not found:
        raise HTTPException(status_code=404)
    return _page(request, "awareness/case.html", {"case": found[0]})


# ---------------------------------------------------------------- lecture requests (public)


@router.get("/awareness/lectures/request", dependencies=[PUBLIC])
def lecture_request_form(request: Request, clock: AppClock) -> HTMLResponse:
    """The e-ネットキャラバン request form for a school or a parents' group."""
    return _page(request, "awareness/lecture_request.html", _request_ctx(clock.now(), {}, {}))


def _request_ctx(at: dt.datetime, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    today = jst_day(at)
    return {
        "values": values,
        "errors": errors,
        "min_date": (today + dt.timedelta(days=1)).isoformat(),
        "max_date": (today + dt.timedelta(days=366)).isoformat(),
        "date_slots": range(MAX_DATE_OPTIONS),
    }


@router.post(
    "/awareness/lectures/request",
    dependencies=[PUBLIC, rate_limit("lecture_request", "lecture_request_rate_limit_per_minute")],
)
async def lecture_request_submit(
    request: Request, db: DbSession, clock: AppClock, settings: AppSettings
) -> Response:
    form = await request.form()
    lang = page_lang(request)
    values = {
        k: _text(form, k)
        for k in service.LectureRequestForm.__dataclass_fields__
        if k not in ("topics", "dates", "lang")
    }
    data = service.LectureRequestForm(
        **values,
        topics=_list(form, "topics"),
        dates=_list(form, "dates"),
        lang="en" if lang == "en" else "ja",
    )
    try:
        row = service.request_lecture(data, db=db, settings=settings, at=clock.now())
    except DomainError as exc:
        ctx = _request_ctx(
            clock.now(), {**values, "topics": data.topics, "dates": data.dates}, _errors(exc, lang)
        )
        return _page(request, "awareness/lecture_request.html", ctx, status_code=422)
    return RedirectResponse(f"/awareness/lectures/requested?ref={row.id[:8]}&lang={lang}", status_code=303)


@router.get("/awareness/lectures/requested", dependencies=[PUBLIC])
def lecture_requested(request: Request, ref: str = "") -> HTMLResponse:
    return _page(request, "awareness/lecture_requested.html", {"ref": ref[:8]})


# ---------------------------------------------------------------- lectures (staff)


@router.get("/awareness/lectures", dependencies=[PUBLIC])
def lectures_start(request: Request, principal: MaybePrincipal) -> Response:
    """The start page of coordinators and instructors: each is sent to their own view."""
    if principal is None:
        return RedirectResponse("/login?" + urlencode({"next": "/awareness/lectures"}), status_code=303)
    if principal.may("lecture.coordinate"):
        return RedirectResponse("/awareness/lectures/requests", status_code=303)
    if principal.may("lecture.teach"):
        return RedirectResponse("/awareness/lectures/mine", status_code=303)
    raise Forbidden()


@router.get("/awareness/lectures/requests")
def lecture_requests(
    request: Request, principal: Coordinator, db: DbSession, status: str = ""
) -> HTMLResponse:
    rows = service.list_requests(db=db, actor=principal.actor, status=status[:20])
    return _page(request, "awareness/lecture_requests.html", {"rows": rows, "status": status[:20]})


def _detail_ctx(row: Any, db: Any, at: dt.datetime, actor: Any) -> dict[str, Any]:
    return {
        "row": row,
        "dates": service.date_options(row),
        "row_topics": service.topics_of(row),
        "suggestions": service.suggestions(row, db=db, at=at) if row.status == "requested" else [],
        "instructors": service.list_instructors(db=db, actor=actor, at=at),
        "errors": {},
    }


@router.get("/awareness/lectures/requests/{request_id}")
def lecture_request_detail(
    request: Request, request_id: str, principal: Coordinator, db: DbSession, clock: AppClock
) -> HTMLResponse:
    row = service.read_request(request_id, db=db, actor=principal.actor, at=clock.now())
    return _page(request, "awareness/lecture_detail.html", _detail_ctx(row, db, clock.now(), principal.actor))


@router.post("/awareness/lectures/requests/{request_id}/match")
async def lecture_match(
    request: Request,
    request_id: str,
    principal: Coordinator,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> Response:
    form = await request.form()
    try:
        service.match(
            request_id,
            instructor_id=_text(form, "instructor_id"),
            lecture_date=_text(form, "lecture_date"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        row = service.read_request(request_id, db=db, actor=principal.actor, at=clock.now())
        ctx = {
            **_detail_ctx(row, db, clock.now(), principal.actor),
            "errors": _errors(exc, page_lang(request)),
        }
        return _page(request, "awareness/lecture_detail.html", ctx, status_code=exc.status)
    return RedirectResponse(f"/awareness/lectures/requests/{request_id}?matched=1", status_code=303)


@router.get("/awareness/lectures/instructors")
def instructors(request: Request, principal: Coordinator, db: DbSession, clock: AppClock) -> HTMLResponse:
    rows = service.list_instructors(db=db, actor=principal.actor, at=clock.now())
    return _page(request, "awareness/instructors.html", {"rows": rows, "values": {}, "errors": {}})


@router.post("/awareness/lectures/instructors")
async def instructor_create(
    request: Request, principal: Coordinator, db: DbSession, clock: AppClock
) -> Response:
    form = await request.form()
    values = {k: _text(form, k) for k in ("email", "name", "prefecture", "note")}
    try:
        service.create_instructor(
            email=values["email"],
            name=values["name"],
            password=_text(form, "password"),
            prefecture=values["prefecture"],
            topics=_list(form, "topics"),
            weekdays=_list(form, "weekdays"),
            note=values["note"],
            db=db,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        rows = service.list_instructors(db=db, actor=principal.actor, at=clock.now())
        ctx = {
            "rows": rows,
            "values": {**values, "topics": _list(form, "topics"), "weekdays": _list(form, "weekdays")},
            "errors": _errors(exc, page_lang(request)),
        }
        return _page(request, "awareness/instructors.html", ctx, status_code=exc.status)
    return RedirectResponse("/awareness/lectures/instructors?created=1", status_code=303)


@router.get("/awareness/lectures/mine")
def my_lectures(request: Request, principal: Instructor, db: DbSession, clock: AppClock) -> HTMLResponse:
    mine, rows = service.my_lectures(db=db, actor=principal.actor)
    return _page(
        request,
        "awareness/lectures_mine.html",
        {"mine": mine, "rows": rows, "today": jst_day(clock.now()), "errors": {}, "service": service},
    )


@router.post("/awareness/lectures/mine/profile")
async def my_profile(request: Request, principal: Instructor, db: DbSession, clock: AppClock) -> Response:
    form = await request.form()
    try:
        service.update_own_profile(
            prefecture=_text(form, "prefecture"),
            topics=_list(form, "topics"),
            weekdays=_list(form, "weekdays"),
            note=_text(form, "note"),
            active=_text(form, "active") == "1",
            db=db,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        mine, rows = service.my_lectures(db=db, actor=principal.actor)
        ctx = {
            "mine": mine,
            "rows": rows,
            "today": jst_day(clock.now()),
            "errors": _errors(exc, page_lang(request)),
            "service": service,
        }
        return _page(request, "awareness/lectures_mine.html", ctx, status_code=exc.status)
    return RedirectResponse("/awareness/lectures/mine?saved=1", status_code=303)


@router.get("/awareness/lectures/mine/{request_id}")
def my_lecture(
    request: Request, request_id: str, principal: Instructor, db: DbSession, clock: AppClock
) -> HTMLResponse:
    row = service.read_request(request_id, db=db, actor=principal.actor, at=clock.now())
    return _page(
        request, "awareness/lecture_report.html", {"row": row, "errors": {}, "values": {}, "service": service}
    )


@router.post("/awareness/lectures/mine/{request_id}/report")
async def my_lecture_report(
    request: Request, request_id: str, principal: Instructor, db: DbSession, clock: AppClock
) -> Response:
    form = await request.form()
    values = {"attendance": _text(form, "attendance"), "report": _text(form, "report")}
    try:
        service.record_report(request_id, **values, db=db, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        row = service.read_request(request_id, db=db, actor=principal.actor, at=clock.now())
        ctx = {"row": row, "errors": _errors(exc, page_lang(request)), "values": values, "service": service}
        return _page(request, "awareness/lecture_report.html", ctx, status_code=exc.status)
    return RedirectResponse("/awareness/lectures/mine?reported=1", status_code=303)


# ---------------------------------------------------------------- statistics


def _year(value: str) -> int | None:
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


@router.get("/awareness/lectures/statistics")
def statistics(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, year: str = ""
) -> HTMLResponse:
    """Lectures given and people reached, by fiscal year, prefecture, audience and topic."""
    stats = service.lecture_statistics(db=db, year=_year(year))
    return _page(
        request,
        "awareness/statistics.html",
        {
            "stats": stats,
            "year": _year(year),
            "this_year": fiscal_year(jst_day(clock.now())),
            "dimensions": service.DIMENSIONS,
        },
    )


@router.get("/awareness/lectures/statistics.csv")
def statistics_csv(request: Request, principal: Reader, db: DbSession, year: str = "") -> Response:
    stats = service.lecture_statistics(db=db, year=_year(year))
    body = charts.statistics_csv(stats, page_lang(request))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="lectures.csv"'},
    )


@router.get("/awareness/lectures/statistics/{dimension}.png")
def statistics_chart(
    request: Request, dimension: str, principal: Reader, db: DbSession, year: str = ""
) -> Response:
    if dimension not in service.DIMENSIONS:
        raise HTTPException(status_code=404)
    stats = service.lecture_statistics(db=db, year=_year(year))
    return Response(charts.statistics_chart(stats, dimension, page_lang(request)), media_type="image/png")
