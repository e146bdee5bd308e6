"""The poster's details, from the API or any other entry point, refuse invisible controls (a line break in
an account id, a right-to-left override in a name) with a message naming the field, and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.requests import service
from tests.factories import make_service, make_staff, request_payload


def test_the_api_refuses_a_right_to_left_override_in_the_posters_name(client: Any, db: Session) -> None:
    make_service(db)
    _user, token = make_staff(db, ["specialist"])
    case_id = client.post("/api/v1/removal-requests", json=request_payload()).json()["id"]
    answer = client.post(
        f"/api/v1/cases/{case_id}/poster",
        json={"account_id": "acct-1", "email": "poster@example.com", "name": "abc\u202egnp.exe"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 422 and "name" in answer.text, answer.text
    assert service.get_case_row(db, case_id).poster_sealed is None


def test_the_service_refuses_a_line_break_in_an_account_id(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    make_service(db)
    user, _token = make_staff(db, ["specialist"])
    case_id = client.post("/api/v1/removal-requests", json=request_payload()).json()["id"]
    with pytest.raises(DomainError) as refused:
        service.record_poster(
            case_id,
            service.Poster("acct-1\r\nX-Injected: yes", "poster@example.com"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=user.actor(),
        )
    assert refused.value.field == "account_id" and refused.value.status == 422
    assert service.get_case_row(db, case_id).poster_sealed is None
