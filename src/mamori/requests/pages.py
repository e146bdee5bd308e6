"""Public pages of the window: the removal-request form (Art. 22) and the receipt (the status page,
where the requester may also object, is in appeals/pages.py).

No account, no JavaScript needed; each form carries the CSRF token; errors are shown next to their
field in the page's language.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from mamori.core.audit import Actor
from mamori.core.errors import DomainError
from mamori.requests import service
from mamori.requests.api import check_intake_limit, to_form
from mamori.requests.model import Receipt, Right
from mamori.requests.schema import RemovalRequestIn
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, client_address
from mamori.web.templating import page_lang, render
from mamori.web.validation import validation_error_body

router = APIRouter(tags=["public pages"], dependencies=[PUBLIC])
# Form field → the place in RemovalRequestIn it fills (errors come back under the schema's path).
FIELD_OF = {
    "requester.name": "name",
    "requester.address": "address",
    "requester.email": "email",
    "requester.phone": "phone",
    "declaration_true": "declaration",
    "show_name_to_poster": "show_name",
    "requester.relation": "relation",
    "requester.on_behalf_of": "on_behalf_of",
}
# What each field asks of the person, said when Pydantic's own check (missing, wrong type, a value not
# offered) fails: a form is answered in sentences, not in the JSON API's generic words. The schema's own
# messages (blank, bad URL, bad phone…) and the length limits are shown as they are.
PLAIN_BY_FIELD: dict[str, dict[str, str]] = {
    "service": {"ja": "サービスを選んでください。", "en": "Choose the service where the post is."},
    "content_url": {
        "ja": "投稿の URL を http:// または https:// から始まる形で入力してください。",
        "en": "Enter the URL of the post, starting with http:// or https://.",
    },
    "content_text": {"ja": "問題の投稿の内容を入力してください。", "en": "Enter what the post says."},
    "rights": {
        "ja": "侵害された権利を、一覧から少なくとも一つ選んでください。",
        "en": "Choose at least one right from the list.",
    },
    "reason": {
        "ja": "権利が侵害された理由を入力してください。",
        "en": "Explain why the post infringes your rights.",
    },
    "name": {"ja": "氏名を入力してください。", "en": "Enter your name."},
    "address": {"ja": "住所を入力してください。", "en": "Enter your postal address."},
    "email": {"ja": "メールアドレスを入力してください。", "en": "Enter your e-mail address."},
    "phone": {"ja": "電話番号を入力してください。", "en": "Enter your telephone number."},
    "declaration": {
        "ja": "書いた内容が事実であることを確かめ、宣誓の欄にチェックを入れてください。",
        "en": "Tick the box to declare that what you wrote is true.",
    },
}
MAX_ATTACHMENTS = 10  # screenshots and files sent with the form (MAMORI_EVIDENCE_KIT_MAX_BYTES in all)
KEEP_SCHEMA_WORDS = {"value_error", "string_too_long", "too_long"}


def _form_page(
    request: Request, db: DbSession, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> HTMLResponse:
    ctx = {
        "services": service.list_services(db),
        "rights": list(Right),
        "values": values,
        "errors": errors,
        "idempotency_key": values.get("idempotency_key") or secrets.token_urlsafe(16),
        "max_files": MAX_ATTACHMENTS,
        "max_mib": request.app.state.settings.evidence_kit_max_bytes // (1024 * 1024),
    }
    return render(request, "requests/form.html", ctx, status_code=status)


@router.get("/request", response_class=HTMLResponse)
def request_form(request: Request, db: DbSession, service: str = "") -> HTMLResponse:
    """The removal-request form (侵害情報の通知書, Art. 22)."""
    return _form_page(request, db, {"service": service, "rights": [], "show_name": ""}, {})


# The form's POST is routed where its attachments can be kept as the case's evidence
# (mamori.evidence.request_form), and calls `handle_submission` below.


def handle_submission(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    values: dict[str, Any],
    *,
    check_extra: Callable[[str], dict[str, str]] | None = None,
    after_filing: Callable[[Receipt], None] | None = None,
) -> HTMLResponse:
    """Check the form; on success record the request (and, through `after_filing`, what came with it,
    in the same transaction) and show the receipt at once (Art. 22). `check_extra(lang)` returns the
    errors of fields this module does not know (attachments), so every error is shown at once."""
    filer_lang = page_lang(request)  # ja, en or ja-easy: the language of the notices to come
    lang = "en" if filer_lang == "en" else "ja"  # the language of the error messages
    errors: dict[str, str] = {}
    if values.get("show_name") not in ("yes", "no"):
        errors["show_name"] = (
            "氏名を発信者に伝えてよいか選んでください。"
            if lang == "ja"
            else ("Choose whether the poster may see your name.")
        )
    relation = values.get("relation") or "self"
    payload = {
        "service": values.get("service", ""),
        "content_url": values.get("content_url", ""),
        "content_text": values.get("content_text", ""),
        "rights": values.get("rights") or [],
        "reason": values.get("reason", ""),
        "requester": {
            "name": values.get("name", ""),
            "address": values.get("address", ""),
            "email": values.get("email", ""),
            "phone": values.get("phone", ""),
            "relation": relation,
            "on_behalf_of": values.get("on_behalf_of", ""),
        },
        "show_name_to_poster": values.get("show_name") == "yes",
        "declaration_true": values.get("declaration") == "yes",
        "lang": filer_lang,
    }
    try:
        body = RemovalRequestIn.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            (item,) = validation_error_body([error])["detail"]
            key = FIELD_OF.get(item["field"], item["field"].split(".")[0])
            plain = PLAIN_BY_FIELD.get(key)
            custom = isinstance(error.get("ctx"), dict) and "ja" in error["ctx"]
            if plain and not custom and error.get("type") not in KEEP_SCHEMA_WORDS:
                errors.setdefault(key, plain[lang])
            else:
                errors.setdefault(key, item["message"][lang])
        body = None
    if check_extra is not None:
        for key, message in check_extra(lang).items():
            errors.setdefault(key, message)
    if errors or body is None:
        return _form_page(request, db, values, errors, status=422)
    check_intake_limit(request, settings)
    idempotency_key = str(values.get("idempotency_key") or "")
    try:
        receipt = service.file_request(
            to_form(
                body, source="web", idempotency_key=f"web:{idempotency_key}" if idempotency_key else None
            ),
            db=db,
            settings=settings,
            at=clock.now(),
            by=Actor(f"public:{client_address(request)}"),
        )
        if after_filing is not None:
            after_filing(receipt)
    except DomainError as exc:
        db.rollback()
        errors[FIELD_OF.get(exc.field or "", exc.field or "service")] = exc.ja if lang == "ja" else exc.en
        return _form_page(request, db, values, errors, status=exc.status)
    db.commit()  # the receipt is shown only once the request (and its attachments) are durable
    return render(request, "requests/receipt.html", {"receipt": receipt, "email": values.get("email", "")})
