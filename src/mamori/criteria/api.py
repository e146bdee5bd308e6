"""JSON routes of the criteria: the public history, drafting and publishing (legal officers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.core.text import MultiLineText, SingleLineText
from mamori.criteria import service
from mamori.criteria.model import CriteriaVersion, Measure, WayOfLearning
from mamori.web.deps import PUBLIC, AppClock, DbSession, require

router = APIRouter(prefix="/api/v1/criteria", tags=["criteria"])


class ClauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[SingleLineText, Field(min_length=1, max_length=20)]
    title_ja: Annotated[SingleLineText, Field(min_length=1, max_length=500)]
    title_en: Annotated[SingleLineText, Field(min_length=1, max_length=500)]
    text_ja: Annotated[MultiLineText, Field(min_length=1, max_length=20000)]
    text_en: Annotated[MultiLineText, Field(min_length=1, max_length=20000)]
    applies_to: Annotated[list[WayOfLearning], Field(min_length=1, max_length=10)]
    measures: Annotated[list[Measure], Field(min_length=1, max_length=10)]
    reason_template_ja: Annotated[MultiLineText, Field(max_length=5000)] = ""
    reason_template_en: Annotated[MultiLineText, Field(max_length=5000)] = ""


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[SingleLineText, Field(min_length=1, max_length=40)]
    effective_from: dt.datetime
    summary_ja: Annotated[MultiLineText, Field(max_length=5000)] = ""
    summary_en: Annotated[MultiLineText, Field(max_length=5000)] = ""
    clauses: Annotated[list[ClauseIn], Field(min_length=1, max_length=300)]


def version_out(v: CriteriaVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "effective_from": to_jst(v.effective_from).isoformat(),
        "published_at": to_jst(v.published_at).isoformat() if v.published_at else None,
        "clauses": [
            {
                **c.__dict__,
                "applies_to": [a.value for a in c.applies_to],
                "measures": [m.value for m in c.measures],
            }
            for c in v.clauses
        ],
    }


def to_draft(body: VersionIn) -> list[service.DraftClause]:
    return [
        service.DraftClause(
            code=c.code,
            title_ja=c.title_ja,
            title_en=c.title_en,
            text_ja=c.text_ja,
            text_en=c.text_en,
            applies_to=[a.value for a in c.applies_to],
            measures=[m.value for m in c.measures],
            reason_template_ja=c.reason_template_ja,
            reason_template_en=c.reason_template_en,
        )
        for c in body.clauses
    ]


@router.get("", dependencies=[PUBLIC])
def published_versions(db: DbSession) -> list[dict[str, Any]]:
    """Every published version, oldest first."""
    return [version_out(v) for v in service.published(db=db)]


@router.get("/{version}", dependencies=[PUBLIC])
def one_version(version: str, db: DbSession) -> dict[str, Any]:
    v = service.get(version, db=db)
    if v.published_at is None:
        from mamori.core.errors import NotFound

        raise NotFound("criteria version", version)
    return version_out(v)


@router.post("", status_code=201)
def draft_version(
    body: VersionIn,
    db: DbSession,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("criteria.publish"))],
) -> dict[str, Any]:
    """Write a new version (unpublished until published)."""
    if body.effective_from.tzinfo is None:
        from mamori.core.errors import DomainError

        raise DomainError(
            code="naive_time",
            field="effective_from",
            ja="施行日時にはタイムゾーン (例: +09:00) を付けてください。",
            en="Give effective_from with its offset (e.g. +09:00).",
        )
    v = service.create_draft(
        body.version,
        body.effective_from,
        to_draft(body),
        db=db,
        at=clock.now(),
        by=principal.actor,
        summary_ja=body.summary_ja,
        summary_en=body.summary_en,
    )
    return version_out(v)


@router.post("/{version}/publish")
def publish(
    version: str,
    db: DbSession,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("criteria.publish"))],
) -> dict[str, Any]:
    """Publish a version (Art. 26); it can then be cited by decisions taken after this moment."""
    return version_out(service.publish(version, db=db, at=clock.now(), by=principal.actor))
