"""JSON routes for specialists: decide, extend, preview the notices."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from mamori.core.auth import Principal
from mamori.criteria.model import Measure
from mamori.decisions import service
from mamori.decisions.model import ExtensionGround
from mamori.web.deps import AppClock, AppSettings, DbSession, require

router = APIRouter(prefix="/api/v1/cases", tags=["decisions"])


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure: Measure
    criteria_version: Annotated[str, Field(min_length=1, max_length=40)]
    clause: Annotated[str | None, Field(max_length=20)] = None
    reason: Annotated[str, Field(max_length=5000)]
    liability_ground: Annotated[
        str | None,
        Field(
            max_length=5000,
            description="Art. 3(2)(i): the reasonable grounds for a removal while the poster's inquiry "
            "window is open or after they objected (required then).",
        ),
    ] = None

    def to_input(self) -> service.DecisionInput:
        return service.DecisionInput(
            self.measure, self.criteria_version, self.clause, self.reason, self.liability_ground
        )


class DecisionOut(BaseModel):
    decision_id: str
    requester_notice: str
    poster_notice: str | None


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ground: ExtensionGround
    reason: Annotated[str, Field(max_length=5000)] = ""


class PreviewOut(BaseModel):
    recipient: str
    subject: str
    body: str


@router.post("/{case_id}/decision", status_code=201, response_model=DecisionOut)
def decide(
    case_id: str,
    body: DecisionIn,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.decide"))],
) -> DecisionOut:
    """Record a decision citing a published clause; the notices are queued in the same transaction."""
    outcome = service.decide(
        case_id, body.to_input(), db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return DecisionOut(**outcome.__dict__)


@router.post("/{case_id}/decision-preview", response_model=list[PreviewOut])
def preview(
    case_id: str,
    body: DecisionIn,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.decide"))],
) -> list[PreviewOut]:
    """Exactly the notices this decision would send, without deciding."""
    rows = service.preview(
        case_id, body.to_input(), db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return [PreviewOut(recipient=r, subject=s, body=b) for r, s, b in rows]


@router.post("/{case_id}/extension", status_code=201)
def extend(
    case_id: str,
    body: ExtensionIn,
    db: DbSession,
    settings: AppSettings,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("case.decide"))],
) -> dict[str, str]:
    """Record an extension ground; the requester's interim notice (Art. 25(1) proviso) is queued."""
    state = service.extend(
        case_id, body.ground, body.reason, db=db, settings=settings, at=clock.now(), by=principal.actor
    )
    return {"requester_notice": state}
