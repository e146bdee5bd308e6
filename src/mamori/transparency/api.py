"""transparency: the JSON API — the yearly report as computed now, and statements of reasons in the EU
DSA Transparency Database format (for staff who may read reports)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from mamori.core.auth import Principal
from mamori.core.clock import JST
from mamori.core.errors import DomainError
from mamori.transparency import service
from mamori.web.deps import AppClock, AppSettings, DbSession, require

router = APIRouter(prefix="/api/v1/transparency", tags=["transparency"])
Reader = Annotated[Principal, Depends(require("report.read"))]


def day_range(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00 JST, end 24:00 JST): both days included."""
    for field, day in (("from", start), ("to", end)):
        if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
            raise DomainError(
                code="bad_date",
                field=field,
                ja="日付は2000年から2100年の間で指定してください。",
                en="Give a date from 2000 to 2100.",
            )
    if end < start:
        raise DomainError(
            code="bad_range",
            field="to",
            ja="終了日は開始日と同じかそれより後にしてください。",
            en="'to' must be the same day as 'from' or later.",
        )
    return (
        dt.datetime.combine(start, dt.time(0), tzinfo=JST),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=JST),
    )


@router.get("/reports/{year}")
def yearly_report(year: int, db: DbSession, clock: AppClock, principal: Reader) -> dict[str, Any]:
    """The Art. 28 report of reporting year `year` (April to March), computed now from the cases."""
    return service.report_for(year, db=db, at=clock.now(), by=principal.actor)


@router.get("/statements")
def statements(
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Reader,
    start: Annotated[dt.date, Query(alias="from")],
    end: Annotated[dt.date, Query(alias="to")],
    limit: Annotated[int, Query(ge=1, le=service.MAX_STATEMENTS)] = 10_000,
) -> dict[str, Any]:
    """A statement of reasons (EU DSA Transparency Database format, checked against its field rules)
    for each decision from `from` to `to` (JST days, both included) that removed, restricted or
    suspended."""
    first, after = day_range(start, end)
    found = service.statements(
        first,
        after,
        db=db,
        at=clock.now(),
        by=principal.actor,
        criteria_url=f"{settings.base_url.rstrip('/')}/criteria",
        limit=limit,
    )
    return {"count": len(found), "statements": found}
