"""Public pages of appeals: the poster's page (from the Art. 27 mail), and the requester's status page
with its objection (from the receipt mail). The ruling by a different specialist is a workspace page.

The status page lives here, not in requests/, because it is where the objection is offered: the
window (requests) stays below appeals in the order of capabilities."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.appeals import service
from mamori.appeals.model import Side
from mamori.core.audit import Actor
from mamori.core.clock import to_jst
from mamori.core.errors import DomainError
from mamori.notices import service as notices
from mamori.requests import service as requests
from mamori.requests.service import CaseRecord as CaseRow
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["appeals"], dependencies=[PUBLIC])


def _poster_case(case_id: str, key: str, db: DbSession, settings: AppSettings) -> CaseRow | None:
    case = requests.find_case(db, case_id)
    if case is None or not key or not service.check_poster_key(case, key, settings):
        return None
    return case


def _poster_page(
    request: Request,
    case: CaseRow,
    key: str,
    db: DbSession,
    settings: AppSettings,
    now: dt.datetime,
    error: str | None = None,
    reasons: str = "",
    status: int = 200,
) -> HTMLResponse:
    sealer = requests.sealer_for(settings)
    told = [
        notices.view(n, sealer)
        for n in notices.for_case(db, case.id)
        if n.recipient == "poster" and n.body_sealed
    ]
    ctx = {
        "case": case,
        "key": key,
        "state": service.state_for(case, Side.POSTER, db=db, settings=settings, now=now),
        "told": told,
        "error": error,
        "reasons": reasons,
    }
    return render(request, "appeals/poster.html", ctx, status_code=status)


@router.get(
    "/poster/{case_id}",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def poster_page(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, clock: AppClock, key: str = ""
) -> HTMLResponse:
    """What the poster was told, and the objection form (once per decision, within the period)."""
    case = _poster_case(case_id, key, db, settings)
    if case is None:
        return render(request, "requests/status_not_found.html", {}, status_code=404)
    return _poster_page(request, case, key, db, settings, clock.now())


@router.post(
    "/poster/{case_id}/appeal",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def poster_appeal(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    key: Annotated[str, Form(max_length=200)] = "",
    reasons: Annotated[str, Form(max_length=10000)] = "",
) -> Response:
    case = _poster_case(case_id, key, db, settings)
    if case is None:
        return render(request, "requests/status_not_found.html", {}, status_code=404)
    try:
        service.file_appeal(
            case.id,
            Side.POSTER,
            reasons,
            db=db,
            settings=settings,
            at=clock.now(),
            by=Actor("poster:" + (case.poster_key or "unknown")),
        )
    except DomainError as exc:
        db.rollback()
        message = exc.en if page_lang(request) == "en" else exc.ja
        return _poster_page(
            request, case, key, db, settings, clock.now(), error=message, reasons=reasons, status=exc.status
        )
    db.commit()  # durable before the browser follows the redirect
    return RedirectResponse(f"/poster/{case.id}?key={key}&lang={page_lang(request)}", status_code=303)


@router.post(
    "/status/{receipt_number}/appeal",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def requester_appeal(
    request: Request,
    receipt_number: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    key: Annotated[str, Form(max_length=200)] = "",
    reasons: Annotated[str, Form(max_length=10000)] = "",
) -> Response:
    """The requester objects to "no action" (from the status page, with the key of the receipt mail)."""
    case = requests.case_by_receipt(db, receipt_number)
    if case is None or not key or not requests.check_follow_secret(case, key, settings):
        return render(request, "requests/status_not_found.html", {}, status_code=404)
    try:
        service.file_appeal(
            case.id,
            Side.REQUESTER,
            reasons,
            db=db,
            settings=settings,
            at=clock.now(),
            by=Actor(f"requester:{case.receipt_number}"),
        )
    except DomainError as exc:
        db.rollback()
        message = exc.en if page_lang(request) == "en" else exc.ja
        return render(
            request,
            "appeals/refused.html",
            {"message": message, "back": f"/status/{receipt_number}?key={key}"},
            status_code=exc.status,
        )
    db.commit()
    return RedirectResponse(f"/status/{receipt_number}?key={key}&lang={page_lang(request)}", status_code=303)


@router.get(
    "/status/{receipt_number}",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def status_page(
    request: Request,
    receipt_number: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    key: str = "",
) -> HTMLResponse:
    """The requester's view of their case: stage, deadline, the notices sent (key from the receipt mail)."""
    case = requests.case_by_receipt(db, receipt_number)
    if case is None or not key or not requests.check_follow_secret(case, key, settings):
        return render(request, "requests/status_not_found.html", {}, status_code=404)
    status = requests.status_for_requester(case, db=db, now=clock.now(), settings=settings)
    told = [  # the service gives ISO text (it also feeds the JSON API); the page shows JST
        {**n, "sent_at": dt.datetime.fromisoformat(n["sent_at"]) if n["sent_at"] else None}
        for n in status["notices"]  # type: ignore[attr-defined]
    ]
    ctx = {
        "case": case,
        "status": status,
        "told": told,
        "key": key,
        "received_at": case.received_at,
        "due_at": case.decision_due_at,
        "decided_at": case.decided_at,
        "appeal": service.state_for(case, Side.REQUESTER, db=db, settings=settings, now=clock.now()),
        "outcome": service.requester_outcome(case, db=db, settings=settings, now=clock.now()),
        "to_jst": to_jst,
    }
    return render(request, "appeals/status.html", ctx)
