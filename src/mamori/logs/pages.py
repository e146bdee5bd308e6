"""logs: the legal officer's page (/logs): who held an address at a moment, an account's events in a
period, and the holds in force. Every answer comes from logs.service (audited reads)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mamori.core.auth import Principal
from mamori.core.clock import JST
from mamori.core.errors import DomainError
from mamori.logs import service
from mamori.web.deps import AppClock, AppSettings, DbSession, require
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["logs"])
Reader = Annotated[Principal, Depends(require("disclosure.read"))]
Text = Annotated[str, Query(max_length=200)]


def _moment(value: str, field: str) -> dt.datetime:
    """A time typed in the form (datetime-local, read as JST) or ISO 8601 with its offset."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(
            code="logs_bad_time",
            field=field,
            ja="時刻を 2026-12-01T09:30:15 の形で入れてください (日本時間)。",
            en="Enter the time as 2026-12-01T09:30:15 (Japan time).",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=JST)


@router.get("/logs", response_class=HTMLResponse)
def logs_page(
    request: Request,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    principal: Reader,
    ip: Text = "",
    port: Text = "",
    at: Text = "",
    account: Text = "",
    start: Text = "",
    end: Text = "",
) -> HTMLResponse:
    lang = page_lang(request)
    now = clock.now()
    ctx: dict[str, Any] = {"values": dict(request.query_params), "errors": {}, "lookup": None, "events": None}
    try:
        if ip:
            when = _moment(at, "at") if at else now
            port_number = int(port) if port.strip().isdigit() else None
            if port.strip() and port_number is None:
                raise DomainError(
                    code="logs_bad_port", field="port", ja="ポート番号は数字です。", en="A port is a number."
                )
            ctx["lookup"] = service.who_held(
                db, ip=ip, port=port_number, when=when, actor=principal.actor, at=now, settings=settings
            )
        if account:
            t1 = _moment(start, "start") if start else now - dt.timedelta(days=30)
            t2 = _moment(end, "end") if end else now
            ctx["events"] = service.events_of_account(
                db, account_id=account, start=t1, end=t2, actor=principal.actor, at=now, settings=settings
            )
    except DomainError as exc:
        ctx["errors"][exc.field or "form"] = exc.en if lang == "en" else exc.ja
    ctx["holds"] = (
        service.holds(db, actor=principal.actor, at=now, settings=settings)
        if principal.may("logs.manage")
        else None
    )
    ctx["retention"] = service.retention_days(db, settings=settings)
    return render(request, "logs/index.html", ctx)
