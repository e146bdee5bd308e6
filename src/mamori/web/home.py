"""The start page: where each kind of visitor goes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mamori.web.deps import PUBLIC
from mamori.web.templating import render

router = APIRouter(tags=["pages"], dependencies=[PUBLIC])


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    """Links for people who were harmed, for platforms' staff, and for other systems."""
    return render(request, "home.html", {"env": request.app.state.settings.env})
