"""Art. 26: a decision cites the version of the criteria in force at its moment, never a replaced one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import JST
from mamori.criteria import service
from mamori.criteria.model import CitationError, Measure, check_citation, version_in_force
from tests.factories import make_criteria, make_service, make_staff, request_payload

REASON = "事実を摘示して社会的評価を低下させる投稿であり、削除基準に当たります。"


def test_a_replaced_version_cannot_be_cited(db: Session) -> None:
    make_criteria(db, version="2025.1", published=dt.datetime(2025, 4, 1, tzinfo=JST))
    make_criteria(db, version="2026.1", published=dt.datetime(2026, 3, 1, tzinfo=JST))
    versions = service.published(db=db)
    old, new = service.get("2025.1", db=db), service.get("2026.1", db=db)
    at = dt.datetime(2026, 4, 2, tzinfo=JST)
    with pytest.raises(CitationError) as replaced:
        check_citation(old, "2.1", Measure.REMOVE, at, version_in_force(versions, at))
    assert replaced.value.code == "criteria_replaced" and "2026.1" in replaced.value.en
    assert check_citation(new, "2.1", Measure.REMOVE, at, version_in_force(versions, at)) is not None
    # before the new version took effect, the old one was the one in force
    earlier = dt.datetime(2026, 2, 1, tzinfo=JST)
    assert (
        check_citation(old, "2.1", Measure.REMOVE, earlier, version_in_force(versions, earlier)) is not None
    )


def test_the_api_refuses_a_decision_citing_a_replaced_version(client: Any, db: Session) -> None:
    make_service(db)
    make_criteria(db, version="2025.1", published=dt.datetime(2025, 4, 1, tzinfo=JST))
    make_criteria(db, version="2026.1", published=dt.datetime(2026, 3, 1, tzinfo=JST))
    _user, token = make_staff(db, ["specialist"])
    case_id = client.post("/api/v1/removal-requests", json=request_payload()).json()["id"]
    answer = client.post(
        f"/api/v1/cases/{case_id}/decision",
        headers={"Authorization": f"Bearer {token}"},
        json={"measure": "no_action", "criteria_version": "2025.1", "reason": REASON},
    )
    assert answer.status_code == 422 and answer.json()["error"] == "criteria_replaced", answer.text
