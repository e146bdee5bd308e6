"""The legal officer's /logs page: the lookup and an account's events in the page's language; other
roles are refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.logs import service
from tests.logs.factories import SOURCE, T0, assignment, event


def _token(db: Session, role: str) -> dict[str, str]:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    user = auth.create_user(
        f"{role}@page.test", role, [role], "a long enough password", db=db, at=at, by=Actor.system()
    )
    token = auth.create_api_token(user, db=db, at=at, valid_for=None)
    db.flush()
    return {"Authorization": f"Bearer {token}"}


def test_the_legal_officer_looks_up_an_address_and_an_account(
    client: Any, db: Session, settings: Settings
) -> None:
    service.ingest_assignments(
        db,
        rows=[
            assignment(subscriber_id="sub-A", ip="100.64.0.1", port_start=0, port_end=1023),
            assignment(subscriber_id="sub-B", ip="100.64.0.1", port_start=1024, port_end=2047),
        ],
        actor=SOURCE,
        at=T0,
        settings=settings,
    )
    service.ingest_events(db, rows=[event()], actor=SOURCE, at=T0, settings=settings)
    db.flush()
    headers = _token(db, "legal_officer")

    held = client.get(
        "/logs", params={"ip": "100.64.0.1", "port": "1500", "at": "2026-04-01T10:00:00"}, headers=headers
    )
    assert held.status_code == 200 and "割当先の契約者" in held.text and "sub-B" in held.text
    shared = client.get(
        "/logs", params={"ip": "100.64.0.1", "at": "2026-04-01T10:00:00", "lang": "en"}, headers=headers
    )
    assert "Ambiguous: no single subscriber" in shared.text and "CGNAT" in shared.text
    events = client.get(
        "/logs",
        params={"account": "acct-1001", "start": "2026-04-01T00:00:00", "end": "2026-04-02T00:00:00"},
        headers=headers,
    )
    assert "203.0.113.45" in events.text and "post-1" in events.text
    bad = client.get("/logs", params={"ip": "not-an-ip", "lang": "en"}, headers=headers)
    assert bad.status_code == 200 and "is not an IP address" in bad.text and 'aria-invalid="true"' in bad.text


@pytest.mark.parametrize("role", ["specialist", "administrator", "auditor", "log_source"])
def test_other_roles_are_refused(client: Any, db: Session, role: str) -> None:
    assert client.get("/logs", headers=_token(db, role)).status_code == 403
