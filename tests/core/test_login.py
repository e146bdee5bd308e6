"""Signing in and out in the browser: the cookie's flags, failures, lockout, rate limit, no open redirect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from tests.workspace import support


def csrf(client: Any) -> str:
    client.get("/login")
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def post_login(client: Any, password: str, next_page: str = "/workspace") -> Any:
    data = {"email": "s@staff.test", "password": password, "next": next_page, "csrf_token": csrf(client)}
    return client.post("/login", data=data, follow_redirects=False)


def test_sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    answer = post_login(client, support.PASSWORD)
    assert answer.status_code == 303 and answer.headers["location"] == "/workspace"
    cookie = answer.headers["set-cookie"].lower()
    assert "mamori_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert client.get("/workspace").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client)}, follow_redirects=False)
    client.cookies.set("mamori_session", answer.cookies["mamori_session"])
    assert client.get("/workspace").status_code == 401


def test_wrong_password_is_refused_on_the_page_and_repeated_failures_lock(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    wrong = post_login(client, "not the password")
    assert wrong.status_code == 401 and "パスワードが違います" in wrong.text
    for _ in range(4):
        post_login(client, "not the password")
    assert post_login(client, support.PASSWORD).status_code == 423  # locked, even with the right one


def test_a_form_without_its_csrf_token_is_refused(client: Any, db: Session) -> None:
    answer = client.post("/login", data={"email": "s@staff.test", "password": "x"}, follow_redirects=False)
    assert answer.status_code == 403


def test_next_page_must_be_on_this_site(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    answer = post_login(client, support.PASSWORD, next_page="//evil.example/")
    assert answer.headers["location"] == "/workspace"


def test_sign_in_attempts_per_address_follow_the_setting(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], db: Session
) -> None:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    support.staff(db, "s@staff.test", ["specialist"])
    app = create_app(
        settings.model_copy(update={"login_attempts_per_minute": 3}),
        clock=clock,
        session_factory=session_factory,
    )
    with TestClient(app) as limited:
        codes = [post_login(limited, "not the password").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
