"""Reasons typed by staff, posters and requesters refuse invisible controls in the service, whatever the
entry point: the notices they go into must read as they look."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.appeals import service as appeals
from mamori.appeals.model import Side
from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.decisions import service as decisions
from tests.factories import make_criteria, make_service, make_staff, request_payload

UPHELD = "投稿は公共の事柄についての論評であり、削除の理由はありません。"


def test_a_decision_reason_with_a_direction_override_is_refused_and_nothing_is_written(
    client: Any, db: Session
) -> None:
    make_service(db)
    make_criteria(db)
    _user, token = make_staff(db, ["specialist"])
    case_id = client.post("/api/v1/removal-requests", json=request_payload()).json()["id"]
    answer = client.post(
        f"/api/v1/cases/{case_id}/decision",
        headers={"Authorization": f"Bearer {token}"},
        json={"measure": "no_action", "criteria_version": "2026.1", "reason": UPHELD + "\u202e"},
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "reason", answer.text
    assert decisions.decisions_for(db, case_id) == []


def test_an_objection_with_a_nul_is_refused(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    make_service(db)
    make_criteria(db)
    _user, token = make_staff(db, ["specialist"])
    case_id = client.post("/api/v1/removal-requests", json=request_payload()).json()["id"]
    decided = client.post(
        f"/api/v1/cases/{case_id}/decision",
        headers={"Authorization": f"Bearer {token}"},
        json={"measure": "no_action", "criteria_version": "2026.1", "reason": UPHELD},
    )
    assert decided.status_code == 201
    with pytest.raises(DomainError) as refused:
        appeals.file_appeal(
            case_id,
            Side.REQUESTER,
            "投稿は虚偽で\u0000今も拡散されています。",
            db=db,
            settings=settings,
            at=clock.now(),
            by=Actor("r:x"),
        )
    assert refused.value.field == "reasons"
    assert appeals.open_appeal(case_id, db=db) is None
