"""One database session per request: the principal is looked up in the session the route uses (the
authentication dependency takes the request's session), never in a second one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.web.app import create_app
from tests.factories import make_service, make_staff, request_payload


class CountingFactory:
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory, self.opened = factory, 0

    def __call__(self, **kw: Any) -> Session:
        self.opened += 1
        return self.factory(**kw)


def test_a_signed_in_request_opens_one_session(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]
) -> None:
    make_service(db)
    _user, token = make_staff(db, ["specialist"])
    counting = CountingFactory(session_factory)
    app = create_app(settings, clock=clock, session_factory=counting)  # type: ignore[arg-type]
    with TestClient(app) as client:
        before = counting.opened
        answer = client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        assert counting.opened - before == 1
        before = counting.opened
        assert client.get("/api/v1/cases").status_code == 401
        assert counting.opened - before == 1


def test_pages_keep_their_own_language_after_another_language_was_rendered(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    """Macros imported into a template see the page's gettext, not that of the first page the process
    rendered (a Jinja import is cached without its context unless it is imported `with context`)."""
    make_service(db)
    _user, token = make_staff(db, ["specialist"])
    assert client.post("/api/v1/removal-requests", json=request_payload()).status_code == 201
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    ja = client.get("/workspace?lang=ja", headers=headers)
    en = client.get("/workspace?lang=en", headers=headers)
    assert ja.status_code == en.status_code == 200, en.text[:300]
    row_en = en.text.split("<tbody", 1)[1]
    row_ja = ja.text.split("<tbody", 1)[1]
    assert "On time" in row_en and "受付" not in row_en  # the clock and stage labels, from macros
    assert "On time" not in row_ja
