"""The specialists' pages: the queue, the case page, claims, the poster's contact, extensions, decisions.

A decision is sent only from the preview page, which shows exactly the notices each side will get.
Deciding (and every other change to a case) requires holding the case's claim.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.appeals import service as appeals
from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.errors import DomainError
from mamori.criteria import service as criteria
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.inquiry import service as inquiry
from mamori.notices import service as notices
from mamori.requests import claims
from mamori.requests import service as requests
from mamori.requests.model import OPEN_STAGES, Right, Stage
from mamori.web.deps import AppClock, AppSettings, DbSession, require
from mamori.web.templating import page_lang, render
from mamori.workspace import service
from mamori.workspace.model import time_left

router = APIRouter(prefix="/workspace", tags=["workspace"])
Reader = Annotated[Principal, Depends(require("case.read"))]
Claimer = Annotated[Principal, Depends(require("case.claim"))]
Editor = Annotated[Principal, Depends(require("case.edit"))]
Decider = Annotated[Principal, Depends(require("case.decide"))]


def _message(request: Request, exc: DomainError) -> str:
    return exc.en if page_lang(request) == "en" else exc.ja


# What the case page confirms after an action; the page maps the key to a translated message and
# ignores any other value, so nothing typed into the URL is shown.
DONE = ("claimed", "released", "poster_recorded", "extended", "inquiry_sent", "decided", "ruled")


def _back(case_id: str, request: Request, done: str) -> RedirectResponse:
    query = urlencode({"lang": page_lang(request), "done": done})
    return RedirectResponse(f"/workspace/cases/{case_id}?{query}", status_code=303)


@router.get("", response_class=HTMLResponse)
def queue_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Reader,
    right: str = "",
    stage: str = "",
    assignee: str = "",
    trusted: str = "",
    sort: str = "clock",
) -> HTMLResponse:
    """Open cases, overdue first then due soonest, with filters and counts."""
    service_slug = request.query_params.get("service", "")
    who = principal.user_id if assignee == "me" else assignee
    filters = service.QueueFilter(
        service_slug, right, stage, who, trusted, sort if sort in service.SORTS else "clock"
    )
    view = service.open_queue(filters, db=db, now=clock.now(), settings=settings)
    chosen = {
        "service": service_slug,
        "right": right,
        "stage": stage,
        "assignee": assignee,
        "trusted": trusted,
    }
    sort_links = {
        key: "/workspace?"
        + urlencode({**{k: v for k, v in chosen.items() if v}, "lang": page_lang(request), "sort": key})
        for key in service.SORTS
    }
    ctx = {
        "view": view,
        "sort_links": sort_links,
        "filters": {**chosen, "sort": filters.sort},
        "rights": list(Right),
        "stages": [s.value for s in OPEN_STAGES],
        "service_slugs": sorted(service.service_slugs(db).values()),
        "names": service.staff_names(db),
        "now": clock.now(),
        "time_left": time_left,
    }
    return render(request, "workspace/queue.html", ctx)


def _event_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """Times in an event's detail are stored as ISO text; the page shows them in JST."""
    return {k: _as_time(v) if k.endswith("_at") or k == "due" else v for k, v in detail.items()}


def _as_time(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:  # not a time after all: shown as written
            return value
    return value


def _case_context(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, now: Any, principal: Principal
) -> dict[str, Any]:
    case = requests.get_case_row(db, case_id)
    requester = requests.requester_of(
        case, settings=settings, db=db, at=now, by=principal.actor, purpose="case_view"
    )
    poster = requests.poster_of(
        case, settings=settings, db=db, at=now, by=principal.actor, purpose="case_view"
    )
    sealer = requests.sealer_for(settings)
    versions = criteria.published(db=db)
    in_force = criteria.in_force(db=db, at=now)
    templates = {
        f"{v.version}|{c.code}": {"ja": c.reason_template_ja, "en": c.reason_template_en}
        for v in versions
        for c in v.clauses
    }
    names = service.staff_names(db)
    english = page_lang(request) == "en"
    clause_texts = {
        c.code: {
            "title": f"{c.code} {c.title_en if english else c.title_ja}",
            "text": c.text_en if english else c.text_ja,
        }
        for c in (in_force.clauses if in_force else ())
    }
    events = [
        {
            "at": e.at,
            "kind": e.kind,
            "actor": e.actor,
            "actor_name": names.get(e.actor.removeprefix("user:"), "") if e.actor.startswith("user:") else "",
            "detail": _event_detail(json.loads(e.detail)),
        }
        for e in requests.timeline(db, case.id)
    ]
    claimed = case.assignee is not None and case.claimed_until is not None and case.claimed_until > now
    appeal = appeals.open_appeal(case.id, db=db)
    appealed = decisions.latest(case.id, db=db) if appeal is not None else None
    appealed_version = next((v for v in versions if appealed and v.id == appealed.criteria_version_id), None)
    appealed_clause = next(
        (
            c
            for c in (appealed_version.clauses if appealed_version else ())
            if appealed and c.code == appealed.clause_code
        ),
        None,
    )
    return {
        "case": case,
        "texts": requests.case_texts(case, settings),
        "service_slug": service.service_slugs(db).get(case.service_id, ""),
        "requester": requester,
        "poster": poster,
        "evidence": service.evidence_of(case),
        "abuse_flags": json.loads(case.abuse_flags),
        "events": events,
        "notices": [notices.view(n, sealer) for n in notices.for_case(db, case.id)],
        "related": requests.related_cases(case, db=db),
        "decisions": decisions.decisions_for(db, case.id),
        "extensions": decisions.extensions_for(db, case.id),
        "inquiry": inquiry.latest(case.id, db=db),
        "inquiries": inquiry.for_case(db, case.id),
        "appeal": appeal,
        # the ruling on an objection: the decision appealed against, and whether this person may rule
        "appealed": appealed,
        "appealed_version": appealed_version.version if appealed_version else "",
        "appealed_clause": (
            f"{appealed_clause.code} {appealed_clause.title_en if english else appealed_clause.title_ja}"
            if appealed_clause
            else (appealed.clause_code if appealed else "")
        ),
        "appealed_by_name": names.get(appealed.decided_by.removeprefix("user:"), appealed.decided_by)
        if appealed
        else "",
        "may_rule": appealed is not None
        and principal.may("appeal.decide")
        and appealed.decided_by != principal.actor.ident,
        "appeals": appeals.for_case(db, case.id),
        "versions": versions,
        "in_force": in_force,
        "templates": templates,
        "clause_texts": clause_texts,
        "measures": list(Measure),
        "grounds": list(ExtensionGround),
        "is_open": case.stage in [s.value for s in OPEN_STAGES],
        "holder": case.assignee if claimed else None,
        "holder_name": names.get(case.assignee or "", "") if claimed else "",
        "mine": claimed and case.assignee == principal.user_id,
        "claimed_until": case.claimed_until if claimed else None,
        "clock_state": requests.clock_of(case, db=db, now=now, settings=settings).value,
        "to_jst": to_jst,
        "now": now,
        "time_left": time_left,
        "error": None,
        "error_field": None,
        "form": {},
        "done": request.query_params.get("done") if request.query_params.get("done") in DONE else None,
    }


def _case_page(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Principal,
    *,
    error: str | None = None,
    error_field: str | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    ctx = _case_context(request, case_id, db, settings, clock.now(), principal)
    ctx.update(error=error, error_field=error_field, form=form or {})
    if error:
        ctx["done"] = None
    return render(request, "workspace/case.html", ctx, status_code=status)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Reader
) -> HTMLResponse:
    """The request, the content, evidence, the full timeline, related cases and the forms to act."""
    return _case_page(request, case_id, db, settings, clock, principal)


def _refused(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Principal,
    exc: DomainError,
    form: dict[str, str] | None,
) -> Response:
    """Roll the change back and show the case page again with the reason, keeping what was typed."""
    db.rollback()
    return _case_page(
        request,
        case_id,
        db,
        settings,
        clock,
        principal,
        error=_message(request, exc),
        error_field=exc.field,
        form=form,
        status=exc.status,
    )


def _act(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Principal,
    action: Any,
    form: dict[str, str] | None = None,
    *,
    done: str,
) -> Response:
    """Run a change; on a domain error roll it back and show the case page with the message."""
    try:
        action()
    except DomainError as exc:
        return _refused(request, case_id, db, settings, clock, principal, exc, form)
    db.commit()  # durable before the browser follows the redirect
    return _back(case_id, request, done)


@router.post("/cases/{case_id}/claim")
def claim(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Claimer
) -> Response:
    return _act(
        request,
        case_id,
        db,
        settings,
        clock,
        principal,
        lambda: claims.claim(
            case_id, db=db, now=clock.now(), by=principal.actor, user_id=principal.user_id, settings=settings
        ),
        done="claimed",
    )


@router.post("/cases/{case_id}/release")
def release(
    request: Request, case_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Claimer
) -> Response:
    return _act(
        request,
        case_id,
        db,
        settings,
        clock,
        principal,
        lambda: claims.release(
            case_id, db=db, now=clock.now(), by=principal.actor, user_id=principal.user_id
        ),
        done="released",
    )


@router.post("/cases/{case_id}/poster")
def record_poster(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Editor,
    account_id: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Attach the poster's account and contact (from the platform's own records)."""

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        if not account_id.strip() or "@" not in email:
            raise DomainError(
                code="poster_invalid",
                field="poster",
                ja="アカウントIDとメールアドレスを入力してください。",
                en="Enter the poster's account id and e-mail.",
            )
        requests.record_poster(
            case_id,
            requests.Poster(account_id.strip(), email.strip(), name.strip()),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )

    return _act(request, case_id, db, settings, clock, principal, action, done="poster_recorded")


@router.post("/cases/{case_id}/extension")
def extend(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Decider,
    ground: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    liability_ground: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Record an extension ground; the requester's interim notice (Art. 25(1) proviso) is queued."""

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        if ground not in [g.value for g in ExtensionGround]:
            raise DomainError(
                code="ground_required",
                field="ground",
                ja="延長の理由を選んでください。",
                en="Choose the ground.",
            )
        decisions.extend(
            case_id,
            ExtensionGround(ground),
            reason,
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )

    return _act(request, case_id, db, settings, clock, principal, action, done="extended")


def decision_input(
    measure: str, criteria_version: str, clause: str, reason: str, liability_ground: str = ""
) -> decisions.DecisionInput:
    """The decision form's fields, checked for presence (the service checks the law)."""
    if measure not in [m.value for m in Measure]:
        raise DomainError(
            code="measure_required", field="measure", ja="措置を選んでください。", en="Choose the measure."
        )
    if not criteria_version:
        raise DomainError(
            code="criteria_required",
            field="criteria_version",
            ja="削除基準の版を選んでください。",
            en="Choose the criteria version.",
        )
    if not clause and Measure(measure).is_removal:
        raise DomainError(
            code="clause_required",
            field="clause",
            ja="適用する条項を選んでください。",
            en="Choose the clause applied.",
        )
    return decisions.DecisionInput(
        Measure(measure), criteria_version, clause or None, reason, liability_ground or None
    )


DecisionForm = dict[str, str]


def _decision_form(
    measure: str, criteria_version: str, clause: str, reason: str, liability_ground: str = ""
) -> DecisionForm:
    return {
        "measure": measure,
        "criteria_version": criteria_version,
        "clause": clause,
        "reason": reason,
        "liability_ground": liability_ground,
    }


@router.post("/cases/{case_id}/preview", response_class=HTMLResponse)
def preview(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Decider,
    measure: Annotated[str, Form()] = "",
    criteria_version: Annotated[str, Form(max_length=40)] = "",
    clause: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    liability_ground: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Exactly the notices this decision would send to each side, with the button that sends them."""
    form = _decision_form(measure, criteria_version, clause, reason, liability_ground)
    try:
        decision = decision_input(measure, criteria_version, clause, reason, liability_ground)
        appeal = appeals.open_appeal(case_id, db=db)
        rows = decisions.preview(
            case_id,
            decision,
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
            appeal_side=appeal.side if appeal is not None else None,
        )
    except DomainError as exc:
        return _refused(request, case_id, db, settings, clock, principal, exc, form)
    case = requests.get_case_row(db, case_id)
    action = "appeal-ruling" if case.stage == Stage.APPEALED.value else "decision"
    ctx = {"case": case, "rows": rows, "form": form, "action": action}
    return render(request, "workspace/preview.html", ctx)


@router.post("/cases/{case_id}/decision")
def decide(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Decider,
    measure: Annotated[str, Form()] = "",
    criteria_version: Annotated[str, Form(max_length=40)] = "",
    clause: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    liability_ground: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Record the decision (only by the claim's holder); the notices previewed are queued with it."""

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        decisions.decide(
            case_id,
            decision_input(measure, criteria_version, clause, reason, liability_ground),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )

    return _act(
        request,
        case_id,
        db,
        settings,
        clock,
        principal,
        action,
        _decision_form(measure, criteria_version, clause, reason, liability_ground),
        done="decided",
    )


@router.post("/cases/{case_id}/inquiry")
def send_inquiry(
    request: Request,
    case_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("inquiry.send"))],
    candidate_request: Annotated[str, Form()] = "",
    election_material: Annotated[str, Form()] = "",
    during_campaign: Annotated[str, Form()] = "",
) -> Response:
    """Send the poster the inquiry (Art. 3(2)); the requester is told we are hearing the poster."""
    election = inquiry.ElectionClaim(
        candidate_request == "yes", election_material == "yes", during_campaign == "yes"
    )

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        inquiry.send_inquiry(case_id, election, db=db, settings=settings, at=clock.now(), by=principal.actor)

    return _act(request, case_id, db, settings, clock, principal, action, done="inquiry_sent")


@router.post("/cases/{case_id}/appeal-ruling")
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
    liability_ground: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Rule on the open appeal (a specialist other than the one who decided); both sides are told."""

    def action() -> None:
        claims.require_claim(case_id, db=db, now=clock.now(), user_id=principal.user_id, settings=settings)
        appeals.rule(
            case_id,
            decision_input(measure, criteria_version, clause, reason, liability_ground),
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )

    form = _decision_form(measure, criteria_version, clause, reason, liability_ground)
    return _act(request, case_id, db, settings, clock, principal, action, form, done="ruled")
