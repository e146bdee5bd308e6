"""The FastAPI app factory. Settings, engine and clock are built here, never at import time."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from mamori import __version__
from mamori.core.clock import Clock, SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, make_single_statement_engine
from mamori.core.errors import DomainError
from mamori.core.ratelimit import RateLimited
from mamori.web.accesslog import install_access_log_redaction
from mamori.web.cors import EmbedCORSMiddleware
from mamori.web.csrf import CSRFMiddleware
from mamori.web.deps import PUBLIC, DbSession
from mamori.web.headers import SecurityHeadersMiddleware
from mamori.web.limits import BodySizeLimitMiddleware, path_limits
from mamori.web.metrics import RequestMetricsMiddleware
from mamori.web.validation import validation_error_body

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Each capability contributes its routers; the app includes `router` from each module listed here.
ROUTER_MODULES = (
    "mamori.web.signin",
    "mamori.criteria.api",
    "mamori.criteria.pages",
    "mamori.requests.api",
    "mamori.requests.pages",
    "mamori.evidence.request_form",
    "mamori.decisions.api",
    "mamori.notices.api",
    "mamori.workspace.pages",
    "mamori.workspace.admin_pages",
    "mamori.inquiry.pages",
    "mamori.appeals.pages",
    "mamori.detect.api",
    "mamori.consult.api",
    "mamori.consult.pages",
    "mamori.evidence.api",
    "mamori.evidence.pages",
    "mamori.drafting.api",
    "mamori.drafting.pages",
    "mamori.logs.api",
    "mamori.logs.pages",
    "mamori.disclosure.api",
    "mamori.disclosure.pages",
    "mamori.transparency.api",
    "mamori.transparency.pages",
    "mamori.channels.api",
    "mamori.channels.pages",
    "mamori.hotline.api",
    "mamori.hotline.pages",
    "mamori.council.api",
    "mamori.council.pages",
    "mamori.reposts.api",
    "mamori.reposts.pages",
    "mamori.awareness.api",
    "mamori.awareness.pages",
    "mamori.ops",
    "mamori.web.home",
)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    settings = settings or Settings()
    engine = single_statement_engine = None
    if session_factory is None:
        engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
        session_factory = make_sessionmaker(engine)
        # intake's unit of work (one read, one write) runs on the event loop on PostgreSQL
        single_statement_engine = make_single_statement_engine(
            settings.database_url, pool_size=settings.db_pool_size
        )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if single_statement_engine is not None:  # (the other engine may still serve the worker thread)
            await single_statement_engine.dispose()

    app = FastAPI(
        title="mamori",
        version=__version__,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.single_statement_engine = single_statement_engine
    app.state.clock = clock or SystemClock()
    app.state.session_factory = session_factory

    @app.exception_handler(DomainError)
    async def _domain_error(request: Request, exc: DomainError) -> Response:
        response = (
            html_error(request, exc) if wants_html(request) else JSONResponse(exc.as_json(), exc.status)
        )
        if isinstance(exc, RateLimited):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # Unknown addresses, wrong methods, redirects raised by a dependency: pages for browsers.
        if exc.status_code < 400 or not wants_html(request):
            return await http_exception_handler(request, exc)
        return error_page(request, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if wants_html(request):
            return error_page(request, 422)
        return JSONResponse(validation_error_body(exc.errors()), status_code=422)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, _exc: Exception) -> Response:
        # Logged by the server with its traceback; the visitor sees none of it.
        if wants_html(request):
            return error_page(request, 500)
        body = {
            "code": "internal_error",
            "message": {"ja": "サーバーでエラーが起きました。", "en": "Server error."},
        }
        return JSONResponse(body, status_code=500)

    @app.get("/healthz", tags=["health"], dependencies=[PUBLIC])
    def healthz(db: DbSession) -> dict[str, str]:
        db.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Outermost last: the client address is settled first (only trusted proxies are believed), every
    # answer gets the safe headers, bodies are bounded before the CSRF check or a parser reads them.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(EmbedCORSMiddleware)  # the prompt on a platform's own origin calls /api/v1/nudge
    app.add_middleware(
        BodySizeLimitMiddleware, default_limit=settings.max_body_bytes, limits=path_limits(settings)
    )
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.trusted_proxy_list:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.add_middleware(RequestMetricsMiddleware)  # outermost: every answer is counted, refusals too
    install_access_log_redaction()
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app


def app_from_environment() -> FastAPI:
    """The app from MAMORI_* settings alone: what each process of `mamori serve --workers N` imports."""
    from mamori.core.logsetup import configure_logging

    settings = Settings()
    configure_logging(settings.log_format)  # each process is started afresh: its logging too
    return create_app(settings)


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not the JSON API)."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def html_error(request: Request, exc: DomainError) -> Response:
    """A domain error as a page, its message in the person's language."""
    from mamori.web.templating import page_lang

    return error_page(request, exc.status, exc.ja if page_lang(request).startswith("ja") else exc.en)


def error_page(request: Request, status: int, message: str = "") -> Response:
    """Signed-out visitors are sent to sign in and back; other errors get a page in the person's
    language with a way on. Nothing of the failure itself (no exception text) reaches the page."""
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    from mamori.web.templating import render

    return render(request, "error.html", {"status": status, "message": message}, status_code=status)
