"""transparency: the administrators' report pages (/reports) and the public page of figures
(/transparency) with each published report's machine-readable data and its JSON Schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.errors import DomainError, NotFound
from mamori.transparency import builds, model, render, service
from mamori.web.deps import PUBLIC, AppClock, DbSession, require
from mamori.web.templating import page_lang
from mamori.web.templating import render as render_page

router = APIRouter(tags=["transparency"])
Reader = Annotated[Principal, Depends(require("report.read"))]
Publisher = Annotated[Principal, Depends(require("report.publish"))]
DONE = ("evaluated", "published")
REFRESH_SECONDS = 5  # how often the page reloads itself while the figures are being built


def _report_lang(request: Request) -> str:
    return "en" if page_lang(request) == "en" else "ja"


def _corrections(editions: list[service.Edition]) -> list[dict[str, Any]]:
    return [
        {"edition": e.edition, "published_at": to_jst(e.published_at).isoformat(), "changes": e.changes}
        for e in editions
        if e.is_correction
    ]


def _download(figures: dict[str, Any], fmt: str, lang: str, name: str, corrections: Any = None) -> Response:
    data = render.output(figures, fmt, lang, corrections)
    headers = {}
    if fmt in ("csv", "pdf"):
        headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return Response(data, media_type=render.MEDIA_TYPES[fmt], headers=headers)


def _format(fmt: str) -> str:
    if fmt not in render.FORMATS:
        raise NotFound("format", fmt)
    return fmt


# ---------------------------------------------------------------- administrators


@router.get("/reports", response_class=HTMLResponse)
def reports_page(request: Request, db: DbSession, clock: AppClock, principal: Reader) -> HTMLResponse:
    """Every reporting year so far, with what was published of each."""
    current = model.year_of(clock.now())
    published = {group[0].year: group for group in service.every_published(db)}
    years = [
        {"year": y, "over": model.reporting_period(y)[1] <= clock.now(), "editions": published.get(y, [])}
        for y in range(current, model.EARLIEST_YEAR - 1, -1)
    ]
    return render_page(request, "transparency/reports.html", {"years": years})


def _year_page(
    request: Request,
    year: int,
    db: DbSession,
    clock: AppClock,
    principal: Principal,
    error: DomainError | None = None,
    status: int = 200,
) -> HTMLResponse:
    lang = _report_lang(request)
    # a visit never starts a build (a GET changes nothing): the page offers the button instead
    built = builds.latest_built(year, db=db, by=principal.actor)
    waiting = builds.pending_build(year, db=db)
    failed = builds.latest_failure(year, db=db)
    figures = built.figures if built else None
    editions = service.published(db, year)
    done = request.query_params.get("done", "")
    ctx = {
        **render.figures_context(figures or {}, lang),
        "year": year,
        "over": model.reporting_period(year)[1] <= clock.now(),
        "built": built,
        "building": waiting,
        "failed": failed,
        "refresh_seconds": REFRESH_SECONDS if waiting else None,
        "editions": editions,
        "corrections": _corrections(editions),
        "pending": model.changes(editions[-1].figures, figures) if editions and figures else None,
        "may_publish": principal.may("report.publish"),
        "evaluation": service.evaluation_of(year, db=db),
        "error": (error.en if lang == "en" else error.ja) if error else None,
        "error_field": error.field if error else None,
        "done": done if done in DONE else "",
        "formats": render.FORMATS,
    }
    return render_page(request, "transparency/report.html", ctx, status_code=status)


@router.get("/reports/{year}", response_class=HTMLResponse)
def report_page(
    request: Request, year: int, db: DbSession, clock: AppClock, principal: Reader
) -> HTMLResponse:
    """The year's figures as last built, beside what was published of it, and what would change; while
    a build waits or runs, the page reloads itself (no JavaScript)."""
    return _year_page(request, year, db, clock, principal)


@router.get("/reports/{year}/download")
def report_download(
    request: Request, year: int, db: DbSession, principal: Reader, format: str = "html"
) -> Response:
    """The figures as last built, as HTML, CSV, JSON or PDF (409 when never built)."""
    figures = builds.built_figures(year, db=db, by=principal.actor)
    return _download(figures, _format(format), _report_lang(request), f"transparency-{year}")


def _back(request: Request, year: int, done: str = "") -> RedirectResponse:
    query = urlencode({"lang": page_lang(request), **({"done": done} if done else {})})
    return RedirectResponse(f"/reports/{year}?{query}", status_code=303)


def _act(
    request: Request,
    year: int,
    db: DbSession,
    clock: AppClock,
    principal: Principal,
    action: Callable[[], object],
    done: str = "",
) -> Response:
    """Run one action of the year's page: on a refusal the page again with the reason, else back to it."""
    try:
        action()
    except DomainError as exc:
        db.rollback()
        return _year_page(request, year, db, clock, principal, exc, status=exc.status)
    db.commit()  # durable before the browser follows the redirect
    return _back(request, year, done)


@router.post("/reports/{year}/build")
def build(request: Request, year: int, db: DbSession, clock: AppClock, principal: Reader) -> Response:
    """Build the year's figures again, by a worker (the build already waiting, if any, is kept)."""
    return _act(
        request, year, db, clock, principal,
        lambda: builds.request_build(year, db=db, at=clock.now(), by=principal.actor),
    )  # fmt: skip


@router.post("/reports/{year}/evaluation")
def save_evaluation(
    request: Request,
    year: int,
    db: DbSession,
    clock: AppClock,
    principal: Publisher,
    text_ja: Annotated[str, Form(max_length=service.MAX_EVALUATION)] = "",
    text_en: Annotated[str, Form(max_length=service.MAX_EVALUATION)] = "",
) -> Response:
    """Write the operator's self-evaluation of the year; the figures are built again to include it."""
    return _act(
        request, year, db, clock, principal,
        lambda: builds.write_self_evaluation(year, text_ja, text_en, db=db, at=clock.now(), by=principal.actor),
        "evaluated",
    )  # fmt: skip


@router.post("/reports/{year}/publish")
def publish(request: Request, year: int, db: DbSession, clock: AppClock, principal: Publisher) -> Response:
    """Publish (freeze) the figures as last built, those on the page; published again, a dated
    correction of the changed figures."""
    return _act(
        request, year, db, clock, principal,
        lambda: builds.publish_built(year, db=db, at=clock.now(), by=principal.actor),
        "published",
    )  # fmt: skip


# ---------------------------------------------------------------- the public


@router.get("/transparency", response_class=HTMLResponse, dependencies=[PUBLIC])
def public_page(request: Request, db: DbSession) -> HTMLResponse:
    """Every published report, its corrections with their dates, and its machine-readable data."""
    years = service.every_published(db)
    return render_page(request, "transparency/public.html", {"years": years, "to_jst": to_jst})


@router.get("/transparency/schema.json", dependencies=[PUBLIC])
def report_schema() -> JSONResponse:
    """The JSON Schema every published report's JSON follows."""
    return JSONResponse(render.schema(), media_type="application/schema+json")


@router.get("/transparency/{year}/{edition}.{fmt}", dependencies=[PUBLIC])
def published_report(request: Request, year: int, edition: int, fmt: str, db: DbSession) -> Response:
    """One published edition, exactly as frozen (the report's HTML lists its later corrections)."""
    chosen = service.edition(db, year, edition)
    if fmt == "json":  # the exact text whose SHA-256 was published
        return Response(model.canonical(chosen.figures).encode("utf-8"), media_type="application/json")
    corrections = _corrections(service.published(db, year)) if not chosen.is_correction else None
    return _download(
        chosen.figures, _format(fmt), _report_lang(request), f"transparency-{year}-{edition}", corrections
    )
