"""Public pages of the removal criteria (Art. 26): the version in force, every earlier one, the changes."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mamori.core.errors import NotFound
from mamori.criteria import service
from mamori.web.deps import PUBLIC, AppClock, DbSession
from mamori.web.templating import page_lang, render

router = APIRouter(tags=["public pages"], dependencies=[PUBLIC])


@router.get("/criteria", response_class=HTMLResponse)
def criteria_index(request: Request, db: DbSession, clock: AppClock) -> HTMLResponse:
    """The criteria in force now, and the list of every published version."""
    versions = service.published(db=db)
    current = service.in_force(db=db, at=clock.now())
    return render(
        request, "criteria/version.html", {"version": current, "versions": versions, "current": current}
    )


@router.get("/criteria/changes", response_class=HTMLResponse)
def criteria_changes(
    request: Request, db: DbSession, clock: AppClock, old: str = "", new: str = ""
) -> HTMLResponse:
    """The differences between two published versions (line by line)."""
    versions = service.published(db=db)
    names = [v.version for v in versions]
    if old not in names or new not in names:
        if len(names) < 2:
            return render(
                request, "criteria/changes.html", {"versions": versions, "lines": [], "old": old, "new": new}
            )
        old, new = names[-2], names[-1]
    lines = service.diff(old, new, db=db, lang="en" if page_lang(request) == "en" else "ja")
    return render(
        request, "criteria/changes.html", {"versions": versions, "lines": lines, "old": old, "new": new}
    )


@router.get("/criteria/{version}", response_class=HTMLResponse)
def criteria_version(request: Request, version: str, db: DbSession, clock: AppClock) -> HTMLResponse:
    versions = service.published(db=db)
    chosen = next((v for v in versions if v.version == version), None)
    if chosen is None:
        raise NotFound("criteria version", version)  # drafts are never public
    current = service.in_force(db=db, at=clock.now())
    return render(
        request, "criteria/version.html", {"version": chosen, "versions": versions, "current": current}
    )
