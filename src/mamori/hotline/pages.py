"""hotline: the public report form (/hotline/report) and the desk (/hotline…) for the hotline's staff."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core.audit import Actor
from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.errors import DomainError
from mamori.hotline import model, service
from mamori.hotline.figures import CHARTS, chart_png, figures_csv
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, client_address, rate_limit, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(include_in_schema=False, tags=["hotline"])


def signed_in(permission: str) -> Any:
    page = staff_page(permission)

    def dependency(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            raise HTTPException(
                status_code=303, headers={"Location": "/login?" + urlencode({"next": request.url.path})}
            )
        return principal

    return Depends(dependency)


Reader = Annotated[Principal, signed_in("hotline.read")]
Desk = Annotated[Principal, signed_in("hotline.desk")]


def _page(request: Request, template: str, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = render(request, template, ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


def _message(request: Request, exc: DomainError) -> str:
    return exc.en if page_lang(request) == "en" else exc.ja


def _form_ctx(db: Any, settings: Any, **extra: Any) -> dict[str, Any]:
    return {
        "platforms": service.list_platforms(db),
        "harms": [h.value for h in model.Harm],
        "filers": [f.value for f in model.Filer],
        "consent_age": settings.hotline_child_consent_age,
        "error": None,
        "field": None,
        "values": {},
        **extra,
    }


@router.get("/hotline/report", dependencies=[PUBLIC])
def report_form(request: Request, db: DbSession, settings: AppSettings) -> HTMLResponse:
    return _page(request, "hotline/report_form.html", _form_ctx(db, settings))


@router.post(
    "/hotline/report",
    dependencies=[PUBLIC, rate_limit("hotline-report", "hotline_report_rate_limit_per_minute")],
)
def file_report(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    content_url: Annotated[str, Form(max_length=2000)] = "",
    content_text: Annotated[str, Form(max_length=5000)] = "",
    harm: Annotated[str, Form(max_length=20)] = "",
    platform: Annotated[str, Form(max_length=60)] = "",
    filer: Annotated[str, Form(max_length=10)] = "",
    relation: Annotated[str, Form(max_length=100)] = "",
    filer_name: Annotated[str, Form(max_length=200)] = "",
    filer_email: Annotated[str, Form(max_length=320)] = "",
    filer_phone: Annotated[str, Form(max_length=30)] = "",
    child: Annotated[str, Form(max_length=5)] = "",
    child_age: Annotated[str, Form(max_length=3)] = "",
    child_consent: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    values = {
        "content_url": content_url,
        "content_text": content_text,
        "harm": harm,
        "platform": platform,
        "filer": filer,
        "relation": relation,
        "filer_name": filer_name,
        "filer_email": filer_email,
        "filer_phone": filer_phone,
        "child": child,
        "child_age": child_age,
        "child_consent": child_consent,
    }
    form = service.ReportForm(
        content_url=content_url,
        content_text=content_text,
        harm=harm,
        filer=filer,
        filer_name=filer_name,
        filer_email=filer_email,
        filer_phone=filer_phone,
        relation=relation,
        platform=platform,
        child=child == "yes",
        child_age=int(child_age) if child_age.strip().isdigit() else None,
        child_consent=child_consent == "yes",
    )
    try:
        report, _joined = service.file_report(
            form, db=db, settings=settings, at=clock.now(), by=Actor(f"public:{client_address(request)}")
        )
    except DomainError as exc:
        db.rollback()
        ctx = _form_ctx(db, settings, error=_message(request, exc), field=exc.field, values=values)
        return _page(
            request, "hotline/report_form.html", ctx, status_code=exc.status if exc.status != 422 else 422
        )
    number, received = report.number, report.received_at
    db.commit()
    return _page(request, "hotline/report_received.html", {"number": number, "received_at": received})


@router.get("/hotline")
def desk(request: Request, principal: Reader, db: DbSession, clock: AppClock) -> HTMLResponse:
    rows = service.list_reports(db=db, by=principal.actor)
    return _page(request, "hotline/desk.html", {"rows": rows, "now": clock.now()})


@router.get("/hotline/reports/{report_id}")
def report_page(
    request: Request,
    report_id: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    error: str = "",
) -> HTMLResponse:
    view = service.read_report(report_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    letter = None
    if view.platform is not None and view.platform.delivery == "letter" and view.report.qualifies:
        letter = service.letter_for(view.report, view.platform, view.content_text, settings)
    ctx = {
        "view": view,
        "platforms": service.list_platforms(db),
        "may_act": principal.may("hotline.desk"),
        "letter": letter,
        "now": clock.now(),
        "overdue": {n.id: service.follow_up_overdue(n, clock.now()) for n in view.notices},
        "error": error[:500],
    }
    return _page(request, "hotline/report.html", ctx)


def _back(request: Request, report_id: str, error: str = "") -> RedirectResponse:
    query = {"lang": page_lang(request), **({"error": error} if error else {})}
    return RedirectResponse(f"/hotline/reports/{report_id}?{urlencode(query)}", status_code=303)


@router.post("/hotline/reports/{report_id}/assess")
def assess(
    request: Request,
    report_id: str,
    principal: Desk,
    db: DbSession,
    clock: AppClock,
    identifiable_person: Annotated[str, Form(max_length=5)] = "",
    no_public_interest: Annotated[str, Form(max_length=5)] = "",
    beyond_tolerable: Annotated[str, Form(max_length=5)] = "",
    note: Annotated[str, Form(max_length=5000)] = "",
    platform: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    assessment = model.Assessment(
        identifiable_person == "yes", no_public_interest == "yes", beyond_tolerable == "yes", note
    )
    try:
        service.assess(report_id, assessment, platform=platform, db=db, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _back(request, report_id, _message(request, exc))
    db.commit()
    return _back(request, report_id)


@router.post("/hotline/reports/{report_id}/notify")
def notify(
    request: Request, report_id: str, principal: Desk, db: DbSession, clock: AppClock, settings: AppSettings
) -> Response:
    try:
        service.notify(report_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _back(request, report_id, _message(request, exc))
    db.commit()
    return _back(request, report_id)


@router.post("/hotline/notices/{notice_id}/check")
def check(
    request: Request, notice_id: str, principal: Desk, db: DbSession, clock: AppClock, settings: AppSettings
) -> Response:
    report_id = service.report_of_notice(notice_id, db=db)
    try:
        service.check_answer(notice_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _back(request, report_id, _message(request, exc))
    db.commit()
    return _back(request, report_id)


@router.post("/hotline/notices/{notice_id}/answer")
def answer(
    request: Request,
    notice_id: str,
    principal: Desk,
    db: DbSession,
    clock: AppClock,
    outcome: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    row = service.record_answer(notice_id, outcome, note, db=db, at=clock.now(), by=principal.actor)
    db.commit()
    return _back(request, row.report_id)


@router.get("/hotline/platforms")
def platforms(request: Request, principal: Desk, db: DbSession) -> HTMLResponse:
    return _page(request, "hotline/platforms.html", {"platforms": service.list_platforms(db), "error": None})


@router.post("/hotline/platforms")
def add_platform(
    request: Request,
    principal: Desk,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    slug: Annotated[str, Form(max_length=60)],
    name: Annotated[str, Form(max_length=200)],
    delivery: Annotated[str, Form(max_length=10)],
    api_url: Annotated[str, Form(max_length=500)] = "",
    api_key: Annotated[str, Form(max_length=200)] = "",
    remote_service: Annotated[str, Form(max_length=60)] = "",
    contact_email: Annotated[str, Form(max_length=320)] = "",
    lang: Annotated[str, Form(max_length=2)] = "ja",
) -> Response:
    try:
        service.add_platform(
            service.NewPlatform(slug, name, delivery, api_url, api_key, remote_service, contact_email, lang),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        db.rollback()
        ctx = {"platforms": service.list_platforms(db), "error": _message(request, exc)}
        return _page(request, "hotline/platforms.html", ctx, status_code=422)
    db.commit()
    return RedirectResponse(f"/hotline/platforms?lang={page_lang(request)}", status_code=303)


def _year(clock: AppClock, year: int | None) -> int:
    return year if year and 2000 <= year <= 2100 else to_jst(clock.now()).year


@router.get("/hotline/figures")
def figures(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, year: int | None = None
) -> HTMLResponse:
    fig = service.figures(_year(clock, year), db=db)
    return _page(request, "hotline/figures.html", {"fig": fig, "charts": CHARTS})


@router.get("/hotline/figures/{chart}.png")
def chart(
    request: Request, chart: str, principal: Reader, db: DbSession, clock: AppClock, year: int | None = None
) -> Response:
    if chart not in CHARTS:
        raise HTTPException(status_code=404)
    png = chart_png(service.figures(_year(clock, year), db=db), chart, page_lang(request))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/hotline/figures.csv")
def figures_download(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, year: int | None = None
) -> Response:
    fig = service.figures(_year(clock, year), db=db)
    return Response(
        figures_csv(fig, page_lang(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="hotline-{fig.year}.csv"',
            "Cache-Control": "no-store",
        },
    )
