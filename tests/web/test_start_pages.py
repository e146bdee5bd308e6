"""After signing in each role lands on its own start page unless `next` asks for another; signed-in
pages show the person's name and a sign-out button."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.web.signin import start_page
from tests.factories import STAFF_PASSWORD, make_staff


def _sign_in(client: Any, email: str, next_page: str | None = None) -> Any:
    client.get("/login")
    token = str(client.cookies.get("mamori_csrf").split(".")[0])
    data = {"email": email, "password": STAFF_PASSWORD, "csrf_token": token}
    if next_page is not None:
        data["next"] = next_page
    return client.post("/login", data=data, follow_redirects=False)


@pytest.mark.parametrize(
    ("roles", "landing"),
    [
        (["counsellor"], "/consult/records"),
        (["supervisor"], "/consult/records"),
        (["specialist"], "/workspace"),
        (["reviewer"], "/workspace"),
        (["legal_officer"], "/workspace"),
        (["auditor"], "/workspace"),
        (["administrator"], "/workspace"),
    ],
)
def test_each_role_lands_on_its_own_start_page(
    client: Any, db: Session, roles: list[str], landing: str
) -> None:
    user, _token = make_staff(db, roles)
    answer = _sign_in(client, user.email)
    assert answer.status_code == 303 and answer.headers["location"] == landing
    page = client.get(landing, headers={"Accept": "text/html"})
    assert page.status_code == 200, "the start page must be open to the role"


def test_next_wins_over_the_start_page_and_stays_on_this_site(client: Any, db: Session) -> None:
    user, _token = make_staff(db, ["counsellor"])
    assert _sign_in(client, user.email, "/consult/dashboard").headers["location"] == "/consult/dashboard"
    assert _sign_in(client, user.email, "//evil.example/").headers["location"] == "/consult/records"
    assert _sign_in(client, user.email, "").headers["location"] == "/consult/records"


def test_a_person_with_no_known_role_goes_home() -> None:
    assert start_page(frozenset()) == "/"
    assert start_page(frozenset({"counsellor", "specialist"})) == "/workspace"


def test_a_signed_in_page_shows_the_name_and_sign_out(client: Any, db: Session) -> None:
    user, _token = make_staff(db, ["counsellor"])
    _sign_in(client, user.email)
    page = client.get("/consult/records", headers={"Accept": "text/html"})
    assert user.display_name in page.text and 'action="/logout"' in page.text
    assert page.text.count('action="/logout"') == 1


def test_the_workspace_keeps_a_single_sign_out(client: Any, db: Session) -> None:
    user, _token = make_staff(db, ["specialist"])
    _sign_in(client, user.email)
    page = client.get("/workspace", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.text.count('action="/logout"') == 1
