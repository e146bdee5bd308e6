"""Public pages of the window: the removal-request form (Art. 22) and the receipt (the status page,
where the requester may also object, is in appeals/pages.py).

No account, no JavaScript needed; each form carries the CSRF token; errors are shown next to their
field in the page's language.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from mamori.core.audit import Actor
from mamori.core.errors import DomainError
from mamori.requests import service
from mamori.requests.api import check_intake_limit, to_form
from mamori.requests.model import Right
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
    }
    return render(request, "requests/form.html", ctx, status_code=status)


@router.get("/request", response_class=HTMLResponse)
def request_form(request: Request, db: DbSession, service: str = "") -> HTMLResponse:
    """The removal-request form (侵害情報の通知書, Art. 22)."""
    return _form_page(request, db, {"service": service, "rights": [], "show_name": ""}, {})


@router.post("/request", response_class=HTMLResponse)
def submit_request(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    service_slug: Annotated[str, Form(alias="service")] = "",
    content_url: Annotated[str, Form()] = "",
    content_text: Annotated[str, Form()] = "",
    rights: Annotated[list[str] | None, Form()] = None,
    reason: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    address: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    show_name: Annotated[str, Form()] = "",
    declaration: Annotated[str, Form()] = "",
    idempotency_key: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Check the form; on success record the request and show the receipt at once (Art. 22)."""
    lang = page_lang(request)
    lang = "en" if lang == "en" else "ja"
    values = {
        "service": service_slug,
        "content_url": content_url,
        "content_text": content_text,
        "rights": rights or [],
        "reason": reason,
        "name": name,
        "address": address,
        "email": email,
        "phone": phone,
        "show_name": show_name,
        "declaration": declaration,
        "idempotency_key": idempotency_key,
    }
    errors: dict[str, str] = {}
    if show_name not in ("yes", "no"):
        errors["show_name"] = (
            "氏名を発信者に伝えてよいか選んでください。"
            if lang == "ja"
            else ("Choose whether the poster may see your name.")
        )
    payload = {
        "service": service_slug,
        "content_url": content_url,
        "content_text": content_text,
        "rights": rights or [],
        "reason": reason,
        "requester": {"name": name, "address": address, "email": email, "phone": phone},
        "show_name_to_poster": show_name == "yes",
        "declaration_true": declaration == "yes",
        "lang": lang,
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
    if errors or body is None:
        return _form_page(request, db, values, errors, status=422)
    check_intake_limit(request, settings)
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
    except DomainError as exc:
        errors[FIELD_OF.get(exc.field or "", exc.field or "service")] = exc.ja if lang == "ja" else exc.en
        return _form_page(request, db, values, errors, status=exc.status)
    db.commit()  # the receipt is shown only once the request is durable
    return render(request, "requests/receipt.html", {"receipt": receipt, "email": email})
