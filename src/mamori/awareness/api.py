"""awareness: the prompt's script and its counter.

- GET /awareness/prompt.js: the embeddable script (a few KB, cached a day by browsers and proxies);
- POST /api/v1/awareness/prompt-events: one event (shown / edited / posted_anyway) and the site id;
  the server adds the day. No text, no address, no time of day is kept. Any site may call it (CORS *,
  no credentials), within a per-address rate.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from mamori.awareness import service
from mamori.awareness.casebook import case_book
from mamori.web.deps import PUBLIC, AppClock, DbSession, rate_limit

# The case files are checked when the app is built: a bad file stops start-up with file:line.
case_book()

router = APIRouter(tags=["awareness"])

STATIC = Path(__file__).resolve().parent / "static"
CROSS_ORIGIN = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


@cache
def static_file(name: str) -> bytes:
    return (STATIC / name).read_bytes()


@router.get("/awareness/prompt.js", dependencies=[PUBLIC])
def prompt_script() -> Response:
    """The embeddable stop-and-think prompt (see docs/awareness.md for the markup)."""
    return Response(
        static_file("prompt.js"),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=86400",
            "Access-Control-Allow-Origin": "*",
            "Cross-Origin-Resource-Policy": "cross-origin",
        },
    )


@router.get("/awareness/awareness.css", dependencies=[PUBLIC])
def stylesheet() -> Response:
    """The awareness pages' styles (the printable case pages included)."""
    return Response(
        static_file("awareness.css"),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=86400"},
    )


class PromptEventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(max_length=20, description="shown, edited or posted_anyway")
    site: str = Field(max_length=64, description="the platform's own id: lower-case letters, digits, . _ -")


@router.options("/api/v1/awareness/prompt-events", dependencies=[PUBLIC])
def prompt_event_preflight() -> Response:
    """The browser's CORS preflight for a JSON POST from another site."""
    return Response(status_code=204, headers=CROSS_ORIGIN)


@router.post(
    "/api/v1/awareness/prompt-events",
    status_code=204,
    dependencies=[PUBLIC, rate_limit("awareness_events", "awareness_events_rate_limit_per_minute")],
)
def prompt_event(body: PromptEventIn, db: DbSession, clock: AppClock) -> Response:
    """Count one prompt event for the site on today's date (JST). Nothing else is stored."""
    service.record_prompt_event(body.kind, body.site, db=db, at=clock.now())
    return Response(status_code=204, headers=CROSS_ORIGIN)
