"""The poster's page of the sender inquiry: they answer once, by a single-use link (the specialist sends
the inquiry from the workspace's case page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from mamori.core.errors import DomainError
from mamori.inquiry import service
from mamori.inquiry.model import Answer
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["sender inquiry"], dependencies=[PUBLIC])


def _page(
    request: Request,
    token: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    error: str | None = None,
    status: int = 200,
    reason: str = "",
) -> HTMLResponse:
    try:
        view = service.for_poster(token, db=db, settings=settings, at=clock.now())
    except DomainError:
        return render(request, "inquiry/gone.html", {}, status_code=404)
    ctx = {
        "view": view,
        "token": token,
        "error": error,
        "reason": reason,
        "ends_text": service.describe_window(view.inquiry, page_lang(request)),
    }
    return render(request, "inquiry/answer.html", ctx, status_code=status)


@router.get(
    "/inquiry/answer/{token}",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def answer_page(
    request: Request, token: str, db: DbSession, settings: AppSettings, clock: AppClock
) -> HTMLResponse:
    """The poster's page: the request as it may be shown, and the consent / objection form."""
    return _page(request, token, db, settings, clock)


@router.post(
    "/inquiry/answer/{token}",
    response_class=HTMLResponse,
    dependencies=[rate_limit("follow", "follow_rate_limit_per_minute")],
)
def answer(
    request: Request,
    token: str,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    choice: Annotated[str, Form()] = "",
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
        row = service.answer(token, Answer(choice), reason, db=db, at=clock.now())
    except DomainError as exc:
        db.rollback()
        if exc.code == "not_found":
            return render(request, "inquiry/gone.html", {}, status_code=404)
        return _page(
            request,
            token,
            db,
            settings,
            clock,
            error=exc.en if lang == "en" else exc.ja,
            status=exc.status,
            reason=reason,
        )
    return render(request, "inquiry/thanks.html", {"row": row})
