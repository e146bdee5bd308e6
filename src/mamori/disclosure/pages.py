"""disclosure: the legal officer's pages (the queue by clock, a matter with its steps and clocks, the
order form, the access providers) and the poster's single-use hearing page."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.disclosure import chain, clocks, fields, hearing, package, service
from mamori.disclosure.model import KIND_LABELS, ORDER_KINDS, Answer, MatterKind
from mamori.drafting.model import ITEM_LABELS, WITHHELD_LABELS, DisclosureItem, Withheld
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit, require
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["disclosure"])
Reader = Annotated[Principal, Depends(require("disclosure.read"))]
Manager = Annotated[Principal, Depends(require("disclosure.manage"))]
FormText = Annotated[str, Form(max_length=2000)]
DONE = (
    "hearing",
    "decided",
    "suit",
    "suit_result",
    "provider",
    "provider_told",
    "filing",
    "handover",
    "ended",
)


def _kind_label(kind: str, lang: str) -> str:
    labels = KIND_LABELS.get(MatterKind(kind), (kind, kind))
    return labels[1] if lang == "en" else labels[0]


def _errors(exc: DomainError, lang: str) -> dict[str, str]:
    """Field -> message in the page's language (every field of a multi-field error)."""
    problems = exc.problems or []
    out = {p.field or "form": (p.en if lang == "en" else p.ja) for p in problems}
    if not out:
        out[exc.field or "form"] = exc.en if lang == "en" else exc.ja
    return out


@router.get("/disclosure", response_class=HTMLResponse)
def queue_page(
    request: Request, db: DbSession, settings: AppSettings, clock: AppClock, principal: Reader, all: str = ""
) -> HTMLResponse:
    """Matters by clock: what the law wants done now first (an Art. 6(2) notice), then overdue, due soon."""
    now = clock.now()
    items = clocks.queue(db=db, settings=settings, now=now, by=principal.actor, open_only=not all)
    lang = page_lang(request)
    return render(
        request,
        "disclosure/queue.html",
        {"items": items, "kind_label": lambda k: _kind_label(k, lang), "now": now, "show_all": bool(all)},
    )


def _matter_page(
    request: Request,
    matter_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    now = clock.now()
    v = clocks.view(matter_id, db=db, settings=settings, now=now, by=principal.actor)
    lang = page_lang(request)
    done = request.query_params.get("done", "")
    item_labels = {i.value: ITEM_LABELS[i][1 if lang == "en" else 0] for i in DisclosureItem}
    ctx: dict[str, Any] = {
        "v": v,
        "kind_label": _kind_label(v.row.kind, lang),
        "items": [item_labels.get(i, i) for i in v.row.items.split(",") if i],
        "withheld": [
            WITHHELD_LABELS[Withheld(w)][1 if lang == "en" else 0] if w in set(Withheld) else w
            for w in v.row.withheld.split(",")
            if w
        ],
        "target": {
            k: dt.datetime.fromisoformat(val) if k in ("at", "start", "end") and val else val
            for k, val in v.details.get("target", {}).items()
        },
        "recipient": v.details.get("recipient", {}),
        "reasons": {h.id: hearing.reason_of(h, settings) for h in v.hearings},
        "errors": errors or {},
        "done": done if done in DONE else "",
        "now": now,
        "may_manage": principal.may("disclosure.manage"),
    }
    return render(request, "disclosure/matter.html", ctx, status_code=status)


@router.get("/disclosure/matters/{matter_id}", response_class=HTMLResponse)
def matter_page(
    request: Request, matter_id: str, db: DbSession, settings: AppSettings, clock: AppClock, principal: Reader
) -> HTMLResponse:
    """A request or order: what it asks, its clock, its steps, the hearing and the forms for the next step."""
    return _matter_page(request, matter_id, db, settings, clock, principal)


def _moment(value: str, field: str) -> dt.datetime | None:
    if not value.strip():
        return None
    problems: list[Any] = []
    moment = fields.moment(value, field, problems, required=False, ja="日時", en="date and time")
    if problems:
        raise DomainError(code="bad_time", field=field, ja=problems[0].ja, en=problems[0].en)
    return moment


@router.post("/disclosure/matters/{matter_id}/act/{action}", response_model=None)
def act(
    request: Request,
    matter_id: str,
    action: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Manager,
    at: FormText = "",
    reason: FormText = "",
    grant: FormText = "",
    upheld: FormText = "",
) -> Response:
    """One step of a matter from its page; a refusal shows the page again with the reason beside the field."""
    now, by = clock.now(), principal.actor
    try:
        if action == "hearing":
            hearing.start_hearing(matter_id, db=db, settings=settings, at=now, by=by)
        elif action == "decided":
            if grant not in ("yes", "no"):
                raise DomainError(
                    code="choose",
                    field="grant",
                    ja="開示するかどうかを選んでください。",
                    en="Choose whether to disclose.",
                )
            service.decide_request(matter_id, grant == "yes", reason, db=db, settings=settings, at=now, by=by)
        elif action == "suit":
            filed = _moment(at, "at") or now
            service.record_objection_suit(matter_id, filed, db=db, settings=settings, at=now, by=by)
        elif action == "suit_result":
            if upheld not in ("yes", "no"):
                raise DomainError(
                    code="choose", field="upheld", ja="結果を選んでください。", en="Choose the result."
                )
            service.record_suit_result(matter_id, upheld == "yes", db=db, settings=settings, at=now, by=by)
        elif action == "provider":
            service.identify_provider(matter_id, db=db, settings=settings, at=now, by=by)
        elif action == "provider_told":
            chain.tell_requester_provider(
                matter_id, _moment(at, "at"), db=db, settings=settings, at=now, by=by
            )
        elif action == "filing":
            notified = _moment(at, "at") or now
            chain.record_filing_notice(matter_id, notified, db=db, settings=settings, at=now, by=by)
        elif action == "handover":
            chain.hand_over(matter_id, db=db, settings=settings, at=now, by=by)
        elif action == "ended":
            service.end_matter(matter_id, reason, db=db, settings=settings, at=now, by=by)
        else:
            raise DomainError(
                code="unknown_action", status=404, ja="その操作はありません。", en="No such action."
            )
    except DomainError as exc:
        db.rollback()
        if exc.status == 403:
            raise
        return _matter_page(
            request,
            matter_id,
            db,
            settings,
            clock,
            principal,
            errors=_errors(exc, page_lang(request)),
            status=exc.status,
        )
    db.commit()
    query = urlencode({"lang": page_lang(request), "done": action})
    return RedirectResponse(f"/disclosure/matters/{matter_id}?{query}", status_code=303)


@router.post("/disclosure/matters/{matter_id}/package", response_model=None)
def produce_package(
    request: Request,
    matter_id: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Manager,
    repeat_reason: FormText = "",
) -> Response:
    """Download the signed disclosure package (again only with a reason, which is recorded)."""
    try:
        made = package.produce(
            matter_id,
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
            repeat_reason=repeat_reason,
        )
    except DomainError as exc:
        db.rollback()
        return _matter_page(
            request,
            matter_id,
            db,
            settings,
            clock,
            principal,
            errors=_errors(exc, page_lang(request)),
            status=exc.status,
        )
    db.commit()
    return Response(
        made.content,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{made.file_name}"'},
    )


ORDER_FIELDS = (
    "kind",
    "court",
    "case_number",
    "served_at",
    "post_id",
    "account_id",
    "ip",
    "port",
    "sent_at",
    "start",
    "end",
    "recipient",
    "related",
)


def _order_form(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    lang = page_lang(request)
    return render(
        request,
        "disclosure/order_form.html",
        {
            "values": values,
            "errors": errors,
            "kinds": [(k.value, _kind_label(k.value, lang)) for k in ORDER_KINDS],
            "item_choices": [(i.value, ITEM_LABELS[i][1 if lang == "en" else 0]) for i in DisclosureItem],
        },
        status_code=status,
    )


@router.get("/disclosure/orders/new", response_class=HTMLResponse)
def order_form(request: Request, principal: Manager) -> HTMLResponse:
    """The form to register a court order."""
    return _order_form(request, {"items": []}, {})


@router.post("/disclosure/orders", response_model=None)
async def register_order(
    request: Request, db: DbSession, settings: AppSettings, clock: AppClock, principal: Manager
) -> Response:
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k, ""))[:2000] for k in ORDER_FIELDS}
    values["items"] = [str(v)[:40] for v in form.getlist("items")][:20]
    try:
        row = service.register_order(values, db=db, settings=settings, at=clock.now(), by=principal.actor)
    except DomainError as exc:
        db.rollback()
        return _order_form(request, values, _errors(exc, page_lang(request)), status=exc.status)
    db.commit()
    return RedirectResponse(f"/disclosure/matters/{row.id}?lang={page_lang(request)}", status_code=303)


@router.get("/disclosure/providers", response_class=HTMLResponse)
def providers_page(request: Request, db: DbSession, principal: Reader) -> HTMLResponse:
    """The access providers by address range (used to identify the poster's provider under a 提供命令)."""
    rows = chain.providers(db=db, by=principal.actor)
    return render(request, "disclosure/providers.html", {"providers": rows, "errors": {}, "values": {}})


@router.post("/disclosure/providers", response_model=None)
def add_provider(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Manager,
    name: FormText = "",
    address: FormText = "",
    ranges: FormText = "",
    api_url: FormText = "",
    key: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    networks = [r.strip() for r in ranges.replace("\n", ",").split(",") if r.strip()]
    try:
        chain.add_provider(
            name,
            address,
            networks,
            api_url,
            key,
            db=db,
            settings=settings,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        db.rollback()
        rows = chain.providers(db=db, by=principal.actor)
        values = {"name": name, "address": address, "ranges": ranges, "api_url": api_url}
        ctx = {"providers": rows, "errors": _errors(exc, page_lang(request)), "values": values}
        return render(request, "disclosure/providers.html", ctx, status_code=exc.status)
    db.commit()
    return RedirectResponse(f"/disclosure/providers?lang={page_lang(request)}", status_code=303)


# ---------------------------------------------------------------- the poster's hearing page


def _hearing_page(
    request: Request,
    key: str,
    db: DbSession,
    settings: AppSettings,
    *,
    error: str = "",
    reason: str = "",
    status: int = 200,
) -> HTMLResponse:
    try:
        view = hearing.for_poster(key, db=db, settings=settings)
    except DomainError:
        return render(request, "disclosure/hearing_gone.html", {}, status_code=404)
    ctx = {
        "view": view,
        "key": key,
        "error": error,
        "reason": reason,
        "ends_text": hearing.describe_window(view, page_lang(request)),
        "pick": 1 if page_lang(request) == "en" else 0,
    }
    return render(request, "disclosure/hearing.html", ctx, status_code=status)


@router.get(
    "/disclosure/hearing/{key}",
    response_class=HTMLResponse,
    dependencies=[PUBLIC, rate_limit("follow", "follow_rate_limit_per_minute")],
)
def hearing_page(request: Request, key: str, db: DbSession, settings: AppSettings) -> HTMLResponse:
    """The poster's page: the request as it may be shown to them, and the consent / objection form."""
    return _hearing_page(request, key, db, settings)


@router.post(
    "/disclosure/hearing/{key}",
    response_class=HTMLResponse,
    dependencies=[PUBLIC, rate_limit("follow", "follow_rate_limit_per_minute")],
)
def hearing_answer(
    request: Request,
    key: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    choice: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=10000)] = "",
) -> HTMLResponse:
    lang = page_lang(request)
    try:
        if choice not in (Answer.CONSENT.value, Answer.OBJECT.value):
            raise DomainError(
                code="choice_required",
                field="choice",
                ja="同意するかどうかを選んでください。",
                en="Choose whether you consent.",
            )
        hearing.answer(key, Answer(choice), reason, db=db, settings=settings, at=clock.now())
    except DomainError as exc:
        db.rollback()
        if exc.code == "not_found":
            return render(request, "disclosure/hearing_gone.html", {}, status_code=404)
        message = exc.en if lang == "en" else exc.ja
        return _hearing_page(request, key, db, settings, error=message, reason=reason, status=exc.status)
    return render(request, "disclosure/hearing_thanks.html", {"choice": choice})
