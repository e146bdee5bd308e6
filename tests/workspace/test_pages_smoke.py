"""Every workspace page renders for a signed-in specialist, in Japanese and English."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from tests.workspace import support


def sign_in(client: Any, email: str) -> None:
    client.get("/login")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    answer = client.post(
        "/login",
        data={"email": email, "password": support.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def csrf(client: Any) -> str:
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def test_queue_and_case_pages_render(client: Any, db: Session, settings: Settings, clock: FixedClock) -> None:
    support.board(db)
    support.published_criteria(db)
    support.staff(db, "s1@staff.test", ["specialist"])
    case_id = support.file(db, settings, clock.now())
    sign_in(client, "s1@staff.test")
    for lang in ("ja", "en"):
        queue = client.get(f"/workspace?lang={lang}")
        assert queue.status_code == 200, queue.text
        page = client.get(f"/workspace/cases/{case_id}?lang={lang}")
        assert page.status_code == 200, page.text
    assert "Claim this case" in page.text
    assert "Request received" in page.text and ">received<" not in page.text  # labels, not event codes
