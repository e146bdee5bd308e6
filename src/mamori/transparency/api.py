"""transparency: the JSON API — the yearly report as last built by a worker (and asking for a build), and
statements of reasons in the EU DSA Transparency Database format (for staff who may read reports)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from mamori.core.auth import Principal
from mamori.core.clock import JST
from mamori.core.errors import DomainError
from mamori.transparency import builds, service
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
def yearly_report(year: int, db: DbSession, principal: Reader) -> dict[str, Any]:
    """The Art. 28 report of reporting year `year` (April to March) as last built from the cases
    (`computed_at` says when); 409 when it was never built (POST …/builds first)."""
    return builds.built_figures(year, db=db, by=principal.actor)


def build_json(status: builds.BuildStatus) -> dict[str, Any]:
    return {
        "id": status.id,
        "year": status.year,
        "status": status.status,
        "requested_at": status.requested_at.isoformat(),
        "finished_at": status.finished_at.isoformat() if status.finished_at else None,
        "attempts": status.attempts,
        "error": status.error,
        "status_url": f"/api/v1/transparency/builds/{status.id}",
        "report_url": f"/api/v1/transparency/reports/{status.year}",
    }


@router.post("/reports/{year}/builds", status_code=202)
def request_build(
    year: int, db: DbSession, clock: AppClock, principal: Reader, response: Response
) -> dict[str, Any]:
    """Build the year's figures again, by a worker. Answers at once (202) with the build's status (the
    one already waiting or running, if any); `report_url` serves the figures once it is done."""
    status = builds.request_build(year, db=db, at=clock.now(), by=principal.actor)
    db.commit()  # the 202 means the build is queued for good
    response.headers["Location"] = f"/api/v1/transparency/builds/{status.id}"
    return build_json(status)


@router.get("/builds/{build_id}")
def build_state(build_id: str, db: DbSession, principal: Reader) -> dict[str, Any]:
    """A build's status: queued, running, done or failed (with the error)."""
    return build_json(builds.build_status(build_id, db=db, by=principal.actor))


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
