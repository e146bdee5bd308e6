"""HTML forms that produce the drafts as a PDF or text download. No JavaScript, CSRF token in every form.

Nothing typed here is stored: the form posts back, the draft is checked, and either the download is
answered or the form is shown again with each problem next to its field. Anyone may open a form
empty (`PUBLIC`); signed-in staff may open it pre-filled from a case (`?case=<id>`) or a consultation
(`?consultation=<id>`) when `sources` lets them read it (the rule is there, not here).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUploadFile

from mamori.core.errors import DomainError
from mamori.drafting import service, sources
from mamori.drafting.model import (
    ITEM_LABELS,
    LOGIN_CONDITION_LABELS,
    PURPOSE_LABELS,
    RIGHT_LABELS,
    WITHHELD_LABELS,
)
from mamori.drafting.service import DraftKind, OutputFormat
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, MaybePrincipal
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["drafting pages"])
JST_OFFSET = "+09:00"


def choices(labels: Mapping[Any, tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    return [(member.value, ja if lang.startswith("ja") else en) for member, (ja, en) in labels.items()]


HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def evidence_from_lines(text: str) -> list[dict[str, str]]:
    """One item a line, in the person's words: what it is, and (optionally, at the end) the http(s) URL
    it came from. A line may start with a SHA-256 (a lawyer's habit); nobody has to know what that is."""
    items = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        url = parts.pop() if len(parts) > 1 and parts[-1].startswith(("http://", "https://")) else ""
        sha = parts.pop(0).lower() if parts and HEX64.match(parts[0]) else ""
        items.append({"sha256": sha, "description": " ".join(parts), "url": url})
    return items


def evidence_from_files(form: FormData) -> list[dict[str, str]]:
    """Files the person chose: only their name and SHA-256 are used (the fingerprint goes into the
    letter so the recipient can check the copy they receive); the bytes are not kept."""
    items = []
    for upload in form.getlist("evidence_files"):
        if isinstance(upload, StarletteUploadFile) and upload.filename:
            digest = hashlib.sha256()
            upload.file.seek(0)
            while block := upload.file.read(1 << 20):
                digest.update(block)
            items.append({"sha256": digest.hexdigest(), "description": upload.filename[:200], "url": ""})
    return items


def draft_from_form(kind: DraftKind, form: FormData) -> dict[str, Any]:
    """The form's fields in the draft's JSON shape, so the same reader and checks apply."""

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def flag(name: str) -> bool | None:
        value = text(name)
        return {"yes": True, "no": False}.get(value)

    data: dict[str, Any] = {
        "addressee": text("addressee"),
        "requester": {
            "name": text("requester.name"),
            "address": text("requester.address"),
            "email": text("requester.email"),
            "phone": text("requester.phone"),
        },
        "content_url": text("content_url"),
        "post_number": text("post_number"),
        "content_text": text("content_text"),
        "rights": [v for v in form.getlist("rights") if isinstance(v, str)],
        "rights_other": text("rights_other"),
        "evidence": evidence_from_files(form) + evidence_from_lines(text("evidence")),
    }
    if kind is DraftKind.DELETION:
        data |= {
            "reason": text("reason"),
            "harm": text("harm"),
            "show_name_to_poster": flag("show_name_to_poster"),
            "declaration_true": text("declaration_true") == "yes",
        }
        return data
    sent_at = text("sent_at")
    if sent_at and len(sent_at) <= 19:  # datetime-local carries no offset: the form asks for JST
        sent_at += JST_OFFSET
    withheld_choice = text("withheld_choice")
    data |= {
        "provider_kind": text("provider_kind") or "content",
        "ip_address": text("ip_address"),
        "port": text("port"),
        "sent_at": sent_at,
        "clear_reason": text("clear_reason"),
        "purposes": [v for v in form.getlist("purposes") if isinstance(v, str)],
        "purpose_other": text("purpose_other"),
        "items": [v for v in form.getlist("items") if isinstance(v, str)],
        "login_conditions": [v for v in form.getlist("login_conditions") if isinstance(v, str)],
        "withheld_from_poster": (
            None
            if not withheld_choice
            else []
            if withheld_choice == "none"
            else [v for v in form.getlist("withheld_from_poster") if isinstance(v, str)]
        ),
        "withheld_other": text("withheld_other"),
        "responsibility_acknowledged": text("responsibility_acknowledged") == "yes",
    }
    if withheld_choice == "some" and not data["withheld_from_poster"]:
        data["withheld_from_poster"] = None  # "some" with nothing ticked is not yet a choice
    return data


def _page(
    request: Request, kind: DraftKind, values: dict[str, Any], errors: dict[str, list[str]], status: int
) -> HTMLResponse:
    lang = page_lang(request)
    return render(
        request,
        f"drafting/{kind.value}.html",
        {
            "values": values,
            "errors": errors,
            "rights_choices": choices(RIGHT_LABELS, lang),
            "purpose_choices": choices(PURPOSE_LABELS, lang),
            "item_choices": choices(ITEM_LABELS, lang),
            "login_choices": choices(LOGIN_CONDITION_LABELS, lang),
            "withheld_choices": choices(WITHHELD_LABELS, lang),
        },
        status_code=status,
    )


@router.get("/drafting", dependencies=[PUBLIC], response_class=HTMLResponse)
def drafting_index(request: Request) -> HTMLResponse:
    return render(request, "drafting/index.html")


MaybeStaff = MaybePrincipal


def prefilled(
    request: Request,
    principal: MaybeStaff,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    case: str = "",
    consultation: str = "",
) -> dict[str, Any] | RedirectResponse:
    """The form's values from a case or a consultation (staff only), or empty values for anyone."""
    if not case and not consultation:
        return {}
    if principal is None:
        target = request.url.path + ("?" + request.url.query if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    if case:
        facts = sources.facts_from_case(case, db=db, settings=settings, at=clock.now(), by=principal)
    else:
        facts = sources.facts_from_consultation(
            consultation, db=db, settings=settings, at=clock.now(), by=principal
        )
    return sources.form_values(facts) | {"prefilled_from": "case" if case else "consultation"}


Prefilled = Annotated[dict[str, Any] | RedirectResponse, Depends(prefilled)]


@router.get("/drafting/deletion", dependencies=[PUBLIC], response_class=HTMLResponse, response_model=None)
def deletion_form(request: Request, values: Prefilled) -> Response:
    if isinstance(values, RedirectResponse):
        return values
    return _page(request, DraftKind.DELETION, values, {}, 200)


@router.get("/drafting/disclosure", dependencies=[PUBLIC], response_class=HTMLResponse, response_model=None)
def disclosure_form(request: Request, values: Prefilled) -> Response:
    if isinstance(values, RedirectResponse):
        return values
    return _page(request, DraftKind.DISCLOSURE, values, {}, 200)


async def _produce(request: Request, kind: DraftKind, clock: AppClock) -> Response:
    form = await request.form()
    values: dict[str, Any] = {key: form.get(key) for key in form}
    for many in ("rights", "purposes", "items", "login_conditions", "withheld_from_poster"):
        values[many] = form.getlist(many)
    fmt = OutputFormat.TEXT if form.get("format") == "text" else OutputFormat.PDF
    try:
        draft = service.read_draft(kind, draft_from_form(kind, form))
    except DomainError as exc:
        lang = page_lang(request)
        errors: dict[str, list[str]] = {}
        for item in exc.as_json()["detail"]:  # type: ignore[attr-defined]
            field = (
                str(item["field"]).split(".")[0] if item["field"].startswith("evidence") else item["field"]
            )
            errors.setdefault(field, []).append(item["message"]["en" if lang == "en" else "ja"])
        return _page(request, kind, values, errors, 422)
    output = service.produce(draft, fmt, at=clock.now())
    return Response(
        output.content,
        media_type=output.media_type,
        headers={"Content-Disposition": f'attachment; filename="{output.file_name}"'},
    )


@router.post("/drafting/deletion", dependencies=[PUBLIC])
async def deletion_produce(request: Request, clock: AppClock) -> Response:
    return await _produce(request, DraftKind.DELETION, clock)


@router.post("/drafting/disclosure", dependencies=[PUBLIC])
async def disclosure_produce(request: Request, clock: AppClock) -> Response:
    return await _produce(request, DraftKind.DISCLOSURE, clock)
