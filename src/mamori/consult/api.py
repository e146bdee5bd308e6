"""JSON routes: the public decision tree and rights suggestion; the counsellors' records and counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mamori.consult import service
from mamori.consult.analysis import count_consultations, counts_csv
from mamori.consult.catalogue import consult_map
from mamori.consult.model import Contact
from mamori.consult.triage import MAX_TEXT, suggest_rights_for, tree_json
from mamori.core.auth import Principal
from mamori.core.text import MultiLineText, SingleLineText
from mamori.web.deps import PUBLIC, AppClock, AppSettings, DbSession, rate_limit, require

# The data files are checked when the app is built: a bad file stops start-up with file:line.
consult_map()

router = APIRouter(tags=["consult"])

Reader = Annotated[Principal, Depends(require("consult.read"))]
Recorder = Annotated[Principal, Depends(require("consult.record"))]
Manager = Annotated[Principal, Depends(require("consult.manage"))]
Statistician = Annotated[Principal, Depends(require("consult.stats"))]


EMBEDDABLE = {"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600"}


@router.get("/api/v1/triage/tree", dependencies=[PUBLIC])
def triage_tree(response: Response) -> dict[str, Any]:
    """The whole consultation map: questions, answers, results and the bodies they recommend (by id).

    Any site may fetch it (CORS *): it holds no personal data."""
    response.headers.update(EMBEDDABLE)
    return tree_json(consult_map())


@router.get("/api/v1/triage/services", dependencies=[PUBLIC])
def triage_services(response: Response) -> dict[str, Any]:
    """Self-help per service: mute, block, limit replies, report, and the removal-request window."""
    response.headers.update(EMBEDDABLE)
    out = {}
    for guide in consult_map().services.values():
        out[guide.id] = {
            "name": guide.name.as_json(),
            "designated": guide.designated,
            "mute": guide.mute.as_json(),
            "block": guide.block.as_json(),
            "limit_replies": guide.limit_replies.as_json(),
            "report": guide.report.as_json(),
            "window": {"url": guide.window_url, "note": guide.window_note.as_json()},
            "source": guide.source,
            "checked": guide.checked.isoformat(),
            "to_confirm": guide.confirm,
        }
    return {"services": out}


class WhatHappened(BaseModel):
    text: str = Field(max_length=MAX_TEXT)


@router.post(
    "/api/v1/triage/rights", dependencies=[PUBLIC, rate_limit("detect", "detect_rate_limit_per_minute")]
)
def triage_rights(body: WhatHappened) -> dict[str, Any]:
    """Rights the text may infringe, for the person to confirm. Nothing is stored."""
    suggestion = suggest_rights_for(body.text)
    return {
        "rights": [
            {"right": r, "ja": suggestion.labels("ja")[i], "en": suggestion.labels("en")[i]}
            for i, r in enumerate(suggestion.rights)
        ],
        "detection_available": suggestion.available,
    }


class ContactIn(BaseModel):
    name: SingleLineText = Field("", max_length=200)
    phone: SingleLineText = Field("", max_length=40)
    email: SingleLineText = Field("", max_length=320)


Choice = Annotated[str, Field(max_length=40)]


class ConsultationCreate(BaseModel):
    channel: Choice
    categories: list[Choice] = Field(max_length=20)
    service: Choice
    summary: MultiLineText = Field(max_length=20000)
    advice: MultiLineText = Field("", max_length=20000)
    contact: ContactIn = Field(default_factory=ContactIn)
    contact_consent: bool = False


def _public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "opened_at": row.opened_at.isoformat(),
        "channel": row.channel,
        "categories": row.category_list,
        "service": row.service,
        "outcome": row.outcome,
        "anonymous": row.anonymous,
        "referral": row.referral_body,
        "follow_ups": row.follow_up_count,
        "erased": row.erased_at is not None,
    }


@router.post("/api/v1/consultations", status_code=201)
def create_consultation(
    body: ConsultationCreate, principal: Recorder, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    new = service.NewConsultation(
        channel=body.channel,
        categories=body.categories,
        service=body.service,
        summary=body.summary,
        advice=body.advice,
        contact=Contact(**body.contact.model_dump()),
        contact_consent=body.contact_consent,
    )
    row = service.record_consultation(
        new, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key
    )
    db.commit()  # the 201 is sent only once the record is durable
    return _public(row)


@router.get("/api/v1/consultations")
def list_consultations(principal: Reader, db: DbSession) -> dict[str, Any]:
    """The records shared with the caller, newest first (metadata only; open one to read it)."""
    return {"consultations": [_public(row) for row in service.list_consultations(by=principal, db=db)]}


@router.get("/api/v1/consultations/{record_id}")
def get_consultation(
    record_id: str, principal: Reader, db: DbSession, clock: AppClock, settings: AppSettings
) -> dict[str, Any]:
    view = service.read_consultation(
        record_id, by=principal, db=db, at=clock.now(), secret_key=settings.secret_key
    )
    out = _public(view.row)
    if view.content is not None:
        c = view.content
        out["content"] = {
            "summary": c.summary,
            "advice": c.advice,
            "contact": {"name": c.contact.name, "phone": c.contact.phone, "email": c.contact.email},
            "follow_ups": [{"at": f.at.isoformat(), "by": f.by, "note": f.note} for f in c.follow_ups],
        }
    return out


class Referral(BaseModel):
    body: Choice
    consent: bool


@router.post("/api/v1/consultations/{record_id}/referral")
def refer_consultation(
    record_id: str, body: Referral, principal: Recorder, db: DbSession, clock: AppClock
) -> dict[str, Any]:
    return _public(
        service.refer(record_id, body.body, consent=body.consent, by=principal, db=db, at=clock.now())
    )


class Outcome(BaseModel):
    outcome: Choice


@router.post("/api/v1/consultations/{record_id}/outcome")
def set_outcome(
    record_id: str, body: Outcome, principal: Recorder, db: DbSession, clock: AppClock
) -> dict[str, Any]:
    return _public(service.set_outcome(record_id, body.outcome, by=principal, db=db, at=clock.now()))


@router.post("/api/v1/consultations/{record_id}/deletion-request")
def deletion_request(record_id: str, principal: Manager, db: DbSession, clock: AppClock) -> dict[str, Any]:
    return _public(service.honour_deletion_request(record_id, by=principal, db=db, at=clock.now()))


@router.get("/api/v1/consultations-stats")
def consultation_counts(principal: Statistician, db: DbSession) -> dict[str, Any]:
    counts = count_consultations(db)
    return {"total": counts.total, "by": {k: dict(v) for k, v in counts.by.items()}}


@router.get("/api/v1/consultations-stats.csv")
def consultation_counts_csv(principal: Statistician, db: DbSession, lang: str = "ja") -> Response:
    return counts_download(db, lang)


def counts_download(db: DbSession, lang: str) -> Response:
    """The counts as a CSV download (UTF-8 with BOM, so spreadsheets read the Japanese labels)."""
    return Response(
        counts_csv(count_consultations(db), lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="consultations.csv"'},
    )
