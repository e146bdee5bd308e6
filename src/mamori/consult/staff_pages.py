"""The counsellors' pages: record a consultation, read it (audited), follow up, refer, count.

Signed-in staff only (the `mamori_session` cookie); a visitor who is not signed in is sent to /login.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.consult import service
from mamori.consult.analysis import DIMENSIONS, chart_png, count_consultations, label
from mamori.consult.api import counts_download
from mamori.consult.catalogue import consult_map
from mamori.consult.model import CATEGORY_LABEL, OUTCOME_LABEL, Category, Contact, Outcome
from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.web.deps import AppClock, AppSettings, DbSession, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(include_in_schema=False)


def staff(permission: str) -> Any:
    """A staff page's dependency: `staff_page(permission)` (403 without it), and sign-in when signed out."""
    page = staff_page(permission)

    def signed_in(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            target = urlencode({"next": request.url.path})
            raise HTTPException(status_code=303, headers={"Location": f"/login?{target}"})
        return principal

    return Depends(signed_in)


Reader = Annotated[Principal, staff("consult.read")]
Recorder = Annotated[Principal, staff("consult.record")]
Manager = Annotated[Principal, staff("consult.manage")]
Statistician = Annotated[Principal, staff("consult.stats")]


def _choices(lang: str) -> dict[str, Any]:
    cmap = consult_map()
    return {
        "categories": [(c.value, CATEGORY_LABEL[c](lang)) for c in Category],
        "outcomes": [(o.value, OUTCOME_LABEL[o](lang)) for o in Outcome],
        "services": [(s.id, s.name(lang)) for s in cmap.services.values()] + [("other", "—")],
        "bodies": [(b.id, b.name(lang)) for b in cmap.bodies.values()],
        "channels": service.CHANNELS,
        "label": label,
    }


def _staff_render(
    request: Request, template: str, ctx: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response = render(request, template, {**_choices(page_lang(request)), **ctx}, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/consult/records")
def records(request: Request, principal: Reader, db: DbSession) -> HTMLResponse:
    rows = service.list_consultations(by=principal, db=db)
    return _staff_render(request, "consult/records.html", {"rows": rows})


@router.get("/consult/records/new")
def new_record_form(request: Request, principal: Recorder) -> HTMLResponse:
    return _staff_render(request, "consult/record_new.html", {"error": None})


@router.post("/consult/records")
def create_record(
    request: Request,
    principal: Recorder,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    channel: Annotated[str, Form(max_length=40)],
    service_id: Annotated[str, Form(alias="service", max_length=40)],
    summary: Annotated[str, Form(max_length=20000)],
    categories: Annotated[list[str] | None, Form()] = None,
    advice: Annotated[str, Form(max_length=20000)] = "",
    contact_name: Annotated[str, Form(max_length=200)] = "",
    contact_phone: Annotated[str, Form(max_length=40)] = "",
    contact_email: Annotated[str, Form(max_length=320)] = "",
    contact_consent: Annotated[bool, Form()] = False,
) -> Response:
    new = service.NewConsultation(
        channel=channel,
        categories=categories or [],
        service=service_id,
        summary=summary,
        advice=advice,
        contact=Contact(contact_name.strip(), contact_phone.strip(), contact_email.strip()),
        contact_consent=contact_consent,
    )
    try:
        row = service.record_consultation(
            new, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key
        )
    except DomainError as exc:
        error = exc.en if page_lang(request) == "en" else exc.ja
        return _staff_render(request, "consult/record_new.html", {"error": error}, status_code=422)
    db.commit()  # durable before the browser follows the redirect (get_db commits after the response)
    return RedirectResponse(f"/consult/records/{row.id}", status_code=303)


@router.get("/consult/records/{record_id}")
def record_page(
    request: Request, record_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> HTMLResponse:
    view = service.read_consultation(
        record_id, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key
    )
    colleagues = [(u.id, u.display_name) for u in service.share_candidates(record_id, by=principal, db=db)]
    return _staff_render(
        request,
        "consult/record.html",
        {
            "row": view.row,
            "content": view.content,
            "colleagues": colleagues,
            "may_manage": principal.may("consult.manage"),
            # The evidence capability lists what is attached; consult only links to it (evidence
            # depends on consult, never the reverse).
            "may_see_evidence": principal.may("evidence.read"),
        },
    )


def _back(record_id: str, db: DbSession) -> RedirectResponse:
    db.commit()  # durable before the browser follows the redirect
    return RedirectResponse(f"/consult/records/{record_id}", status_code=303)


@router.post("/consult/records/{record_id}/follow-up")
def follow_up(
    record_id: str,
    principal: Recorder,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    note: Annotated[str, Form(max_length=20000)],
) -> Response:
    service.add_follow_up(
        record_id, note, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key
    )
    return _back(record_id, db)


@router.post("/consult/records/{record_id}/outcome")
def outcome(
    record_id: str,
    principal: Recorder,
    db: DbSession,
    clock: AppClock,
    outcome: Annotated[str, Form(max_length=40)],
) -> Response:
    service.set_outcome(record_id, outcome, by=principal, db=db, at=clock.now())
    return _back(record_id, db)


@router.post("/consult/records/{record_id}/referral")
def referral(
    record_id: str,
    principal: Recorder,
    db: DbSession,
    clock: AppClock,
    body: Annotated[str, Form(max_length=40)],
    consent: Annotated[bool, Form()] = False,
) -> Response:
    service.refer(record_id, body, consent=consent, by=principal, db=db, at=clock.now())
    return _back(record_id, db)


@router.post("/consult/records/{record_id}/share")
def share(
    record_id: str,
    principal: Recorder,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    user_id: Annotated[str, Form(max_length=40)],
) -> Response:
    service.share(record_id, user_id, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key)
    return _back(record_id, db)


@router.post("/consult/records/{record_id}/deletion-request")
def deletion_request(record_id: str, principal: Manager, db: DbSession, clock: AppClock) -> Response:
    service.honour_deletion_request(record_id, by=principal, db=db, at=clock.now())
    return _back(record_id, db)


@router.get("/consult/dashboard")
def dashboard(request: Request, principal: Statistician, db: DbSession) -> HTMLResponse:
    counts = count_consultations(db)
    return _staff_render(request, "consult/dashboard.html", {"counts": counts, "dimensions": DIMENSIONS})


@router.get("/consult/dashboard/{dimension}.png")
def chart(request: Request, dimension: str, principal: Statistician, db: DbSession) -> Response:
    if dimension not in DIMENSIONS:
        raise HTTPException(status_code=404)
    png = chart_png(count_consultations(db), dimension, page_lang(request))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/consult/dashboard.csv")
def dashboard_csv(request: Request, principal: Statistician, db: DbSession) -> Response:
    return counts_download(db, page_lang(request))
