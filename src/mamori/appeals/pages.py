"""Pages of appeals: the poster's page (from the Art. 27 mail), the requester's objection (from the
status page), and the ruling by a different specialist."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.appeals import service
from mamori.appeals.model import Side
from mamori.core.audit import Actor
from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.notices import service as notices
from mamori.requests import service as requests
from mamori.requests.store import CaseRow  # the row type only: reads go through the service
from mamori.web.deps import AppClock, AppSettings, DbSession, require
from mamori.web.templating import page_lang, render
from mamori.workspace import pages as workspace
from mamori.workspace import service as claims

router = APIRouter(tags=["appeals"])
ROUTE_PERMISSIONS: dict[tuple[str, str], str | None] = {
    ("GET", "/poster/{case_id}"): None,
    ("POST", "/poster/{case_id}/appeal"): None,
    ("POST", "/status/{receipt_number}/appeal"): None,
    ("POST", "/workspace/cases/{case_id}/appeal-ruling"): "appeal.decide",
}


def _poster_case(case_id: str, key: str, db: DbSession, settings: AppSettings) -> CaseRow | None:
    case = db.get(CaseRow, case_id)
    if case is None or not key or not service.check_poster_key(case, key, settings):
        return None
    return case


def _poster_page(
    request: Request,
    case: CaseRow,
    key: str,
    db: DbSession,
    settings: AppSettings,
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
        "state": service.state_for(case, Side.POSTER, db=db),
        "told": told,
        "error": error,
        "reasons": reasons,
    }
    return render(request, "appeals/poster.html", ctx, status_code=status)


@router.get("/poster/{case_id}", response_class=HTMLResponse)
def poster_page(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, key: str = ""
) -> HTMLResponse:
    """What the poster was told, and the objection form (once per decision)."""
    case = _poster_case(case_id, key, db, settings)
    if case is None:
        return render(request, "requests/status_not_found.html", {}, status_code=404)
    return _poster_page(request, case, key, db, settings)


@router.post("/poster/{case_id}/appeal", response_class=HTMLResponse)
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
            at=clock.now(),
            by=Actor("poster:" + (case.poster_key or "unknown")),
        )
    except DomainError as exc:
        db.rollback()
        message = exc.en if page_lang(request) == "en" else exc.ja
        return _poster_page(
            request, case, key, db, settings, error=message, reasons=reasons, status=exc.status
        )
    db.commit()  # durable before the browser follows the redirect
    return RedirectResponse(f"/poster/{case.id}?key={key}&lang={page_lang(request)}", status_code=303)


@router.post("/status/{receipt_number}/appeal", response_class=HTMLResponse)
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


@router.post("/workspace/cases/{case_id}/appeal-ruling")
def rule(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("appeal.decide"))],
    measure: Annotated[str, Form()] = "",
    criteria_version: Annotated[str, Form(max_length=40)] = "",
    clause: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Rule on the open appeal (a specialist other than the one who decided); both sides are told."""

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        service.rule(
            case_id,
            workspace.decision_input(measure, criteria_version, clause, reason),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )
        claims.release_claims_on(case_id, db=db)

    form = {"measure": measure, "criteria_version": criteria_version, "clause": clause, "reason": reason}
    return workspace._act(request, case_id, db, settings, clock, principal, action, form)
