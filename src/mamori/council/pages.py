"""council: the merged dashboard of the members' figures (/council), its charts and CSV, and the upload
of a member's file."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.errors import DomainError
from mamori.council import model, service
from mamori.council.charts import chart_png, merged_csv
from mamori.web.deps import AppClock, AppSettings, DbSession, staff_page
from mamori.web.templating import page_lang, render

router = APIRouter(include_in_schema=False, tags=["council"])


def signed_in(permission: str) -> Any:
    page = staff_page(permission)

    def dependency(request: Request, principal: Principal | None = Depends(page)) -> Principal:
        if principal is None:
            raise HTTPException(
                status_code=303, headers={"Location": "/login?" + urlencode({"next": request.url.path})}
            )
        return principal

    return Depends(dependency)


Reader = Annotated[Principal, signed_in("council.read")]
Manager = Annotated[Principal, signed_in("council.manage")]


def _year(db: DbSession, clock: AppClock, year: int | None) -> int:
    if year and 2000 <= year <= 2100:
        return year
    known = service.years(db=db)
    return known[0] if known else to_jst(clock.now()).year


def _dashboard(
    request: Request,
    principal: Principal,
    db: DbSession,
    year: int,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    ctx = {
        "m": service.merged(year, db=db),
        "years": service.years(db=db),
        "dimensions": model.DIMENSIONS,
        "label": service.label,
        "may_manage": principal.may("council.manage"),
        "error": error,
    }
    response = render(request, "council/dashboard.html", ctx, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/council")
def dashboard(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, year: int | None = None
) -> HTMLResponse:
    return _dashboard(request, principal, db, _year(db, clock, year))


@router.post("/council/imports")
async def upload(
    request: Request,
    principal: Manager,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
    file: Annotated[UploadFile, File()],
) -> Response:
    data = await file.read(model.MAX_BYTES + 1)
    try:
        parsed = service.import_file(
            data,
            file.filename or "upload.csv",
            db=db,
            threshold=settings.council_suppression_threshold,
            at=clock.now(),
            by=principal.actor,
        )
    except DomainError as exc:
        db.rollback()
        message = exc.en if page_lang(request) == "en" else exc.ja
        return _dashboard(request, principal, db, _year(db, clock, None), error=message, status_code=422)
    db.commit()
    return RedirectResponse(f"/council?year={parsed.year}&lang={page_lang(request)}", status_code=303)


@router.get("/council/charts/{dimension}.png")
def chart(
    request: Request,
    dimension: str,
    principal: Reader,
    db: DbSession,
    clock: AppClock,
    year: int | None = None,
) -> Response:
    if dimension not in model.DIMENSIONS:
        raise HTTPException(status_code=404)
    png = chart_png(service.merged(_year(db, clock, year), db=db), dimension, page_lang(request))
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/council/merged.csv")
def download(
    request: Request, principal: Reader, db: DbSession, clock: AppClock, year: int | None = None
) -> Response:
    m = service.merged(_year(db, clock, year), db=db)
    return Response(
        merged_csv(m, page_lang(request)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="council-{m.year}.csv"',
            "Cache-Control": "no-store",
        },
    )
