"""reposts: the JSON API — check posts against the bank, review matches, feed the reply stream, see
pile-ons and record the protective measures offered, export the bank."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, Field

from mamori.core.auth import Principal
from mamori.core.errors import DomainError
from mamori.core.text import MultiLineText, SingleLineText
from mamori.reposts import exchange, pileons, service
from mamori.web.deps import AppClock, AppSettings, DbSession, require

router = APIRouter(tags=["reposts"])

Reader = Annotated[Principal, Depends(require("repost.read"))]
Reviewer = Annotated[Principal, Depends(require("repost.review"))]
Manager = Annotated[Principal, Depends(require("repost.manage"))]


class PostIn(BaseModel):
    ref: SingleLineText = Field(min_length=1, max_length=500)
    text: MultiLineText = Field("", max_length=service.MAX_POST_CHARS)
    image_base64: str | None = Field(None, max_length=7_000_000)
    url: SingleLineText | None = Field(None, max_length=2000)
    author: SingleLineText | None = Field(None, max_length=200)


class CheckIn(BaseModel):
    posts: list[PostIn] = Field(min_length=1, max_length=service.MAX_POSTS_PER_BATCH)


def _image(data: str | None) -> bytes | None:
    if data is None:
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DomainError(
            code="bad_image",
            field="image_base64",
            ja="画像のbase64が正しくありません。",
            en="image_base64 is not base64.",
        ) from exc


@router.post("/api/v1/reposts/check")
def check(
    body: CheckIn, principal: Reviewer, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    """Check a batch of new posts against the bank of removed content. A match opens a review item for a
    person; nothing is removed."""
    posts = [service.Post(p.ref, p.text, _image(p.image_base64), p.url, p.author) for p in body.posts]
    results = service.check_posts(posts, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return {"bank_version": service.bank_version(db), "results": [service.as_json(r) for r in results]}


@router.get("/api/v1/reposts/matches")
def matches(
    principal: Reader,
    db: DbSession,
    status: Annotated[
        Literal["open", "confirmed", "dismissed", ""] | None,
        Query(description="open, confirmed or dismissed; empty: all"),
    ] = "open",
) -> dict[str, Any]:
    rows = service.list_matches(db=db, by=principal.actor, status=status or None)
    return {"matches": service.matches_json(rows)}


@router.get("/api/v1/reposts/matches/{match_id}")
def match(
    match_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    """The review item: the original decision and post beside the new one, with the differences."""
    v = service.view_match(match_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    o = v.original
    return {
        **service.matches_json([v.match])[0],
        "original": {
            "decision_id": o.decision_id,
            "receipt_number": o.receipt_number,
            "measure": o.measure,
            "criteria_version": o.criteria_version,
            "clause": o.clause_code,
            "reason": o.reason,
            "decided_at": o.decided_at.isoformat() if o.decided_at else None,
            "text": o.text,
            "source": o.source,
        },
        "post_text": v.post_text,
        "diff": [{"kind": d.kind, "original": d.original, "new": d.new} for d in v.diff],
    }


class Resolution(BaseModel):
    note: MultiLineText = Field("", max_length=2000)
    poster_email: SingleLineText | None = Field(None, max_length=320)


@router.post("/api/v1/reposts/matches/{match_id}/confirm")
def confirm(
    match_id: str,
    body: Resolution,
    principal: Reviewer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, Any]:
    """Confirm a repost: the confirmation cites the original clause; with the poster's address, the
    Art. 27 notice citing that clause is queued."""
    row = service.confirm(
        match_id,
        body.note,
        poster_email=body.poster_email,
        db=db,
        settings=settings,
        at=clock.now(),
        by=principal.actor,
    )
    return {
        **service.matches_json([row])[0],
        "criteria_version": row.criteria_version,
        "notice_id": row.notice_id,
    }


@router.post("/api/v1/reposts/matches/{match_id}/dismiss")
def dismiss(
    match_id: str, body: Resolution, principal: Reviewer, db: DbSession, clock: AppClock
) -> dict[str, Any]:
    row = service.dismiss(match_id, body.note, db=db, at=clock.now(), by=principal.actor)
    return service.matches_json([row])[0]


class ReplyIn(BaseModel):
    ref: SingleLineText = Field(min_length=1, max_length=500)
    target: SingleLineText = Field(min_length=1, max_length=200)
    author: SingleLineText = Field(min_length=1, max_length=200)
    at: AwareDatetime
    text: MultiLineText = Field(max_length=pileons.MAX_TEXT)


class StreamIn(BaseModel):
    replies: list[ReplyIn] = Field(min_length=1, max_length=pileons.MAX_REPLIES_PER_BATCH)


@router.post("/api/v1/reposts/stream")
def stream(
    body: StreamIn, principal: Reviewer, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    """A batch of the platform's replies and mentions: scored, kept without text, watched for pile-ons."""
    replies = [pileons.Reply(r.ref, r.target, r.author, r.at, r.text) for r in body.replies]
    report = pileons.ingest(replies, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return report.__dict__


def _pileon_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "target": row.target,
        "started_at": row.started_at.isoformat(),
        "last_at": row.last_at.isoformat(),
        "peak_count": row.peak_count,
        "baseline_per_window": row.baseline_per_window,
        "status": row.status,
    }


@router.get("/api/v1/reposts/pileons")
def pileon_list(principal: Reader, db: DbSession) -> dict[str, Any]:
    return {"pileons": [_pileon_json(r) for r in pileons.list_pileons(db=db, by=principal.actor)]}


@router.get("/api/v1/reposts/pileons/{pileon_id}")
def pileon(
    pileon_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    v = pileons.view(pileon_id, db=db, settings=settings, at=clock.now(), by=principal.actor)
    return {
        **_pileon_json(v.pileon),
        "drivers": [{"account": a, "abusive_replies": n} for a, n in v.drivers],
        "accounts": v.authors,
        "abusive_replies": v.abusive,
        "timeline": [
            {"start": b.start.isoformat(), "abusive": b.abusive, "other": b.other} for b in v.timeline
        ],
        "measures_offered": v.offered,
        "measures_available": v.choices,
    }


class MeasuresIn(BaseModel):
    measures: list[Annotated[str, Field(max_length=60)]] = Field(min_length=1, max_length=20)


@router.post("/api/v1/reposts/pileons/{pileon_id}/measures")
def measures(
    pileon_id: str,
    body: MeasuresIn,
    principal: Reviewer,
    db: DbSession,
    clock: AppClock,
    settings: AppSettings,
) -> dict[str, Any]:
    """Record the protective measures offered to the target (from the operator's list); audited."""
    row = pileons.offer_measures(
        pileon_id, body.measures, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return {**_pileon_json(row), "measures_offered": body.measures}


@router.get("/api/v1/reposts/bank", response_class=PlainTextResponse)
def export_bank(
    principal: Manager, db: DbSession, clock: AppClock, settings: AppSettings
) -> PlainTextResponse:
    """The bank as hashes only (JSON lines, docs/reposts.md), for a hotline or a peer platform."""
    lines = exchange.export_lines(db=db, at=clock.now(), by=principal.actor, source=settings.base_url)
    return PlainTextResponse("\n".join(lines) + "\n", media_type="application/x-ndjson")


class ImageIn(BaseModel):
    decision_id: SingleLineText = Field(max_length=32)
    image_base64: str = Field(max_length=7_000_000)


@router.post("/api/v1/reposts/bank/images", status_code=201)
def bank_image(body: ImageIn, principal: Manager, db: DbSession, clock: AppClock) -> dict[str, Any]:
    """Bank the PDQ hash of an image a removal decision took down (the image is not kept)."""
    image = _image(body.image_base64)
    assert image is not None
    row = service.bank_image(body.decision_id, image, db=db, at=clock.now(), by=principal.actor)
    return {"id": row.id, "pdq": row.pdq, "bank_version": row.bank_version}
