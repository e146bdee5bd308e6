"""Signing in and out in the browser: the cookie's flags, failures, lockout that reveals no account,
rate limit per client (not per forged header), no open redirect."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mamori.core import auth
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


def post_as(client: Any, email: str, password: str) -> Any:
    data = {"email": email, "password": password, "next": "/workspace", "csrf_token": csrf(client)}
    return client.post("/login", data=data, follow_redirects=False)


def test_wrong_password_is_refused_on_the_page_and_repeated_failures_lock(
    client: Any, db: Session, clock: FixedClock
) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    wrong = post_login(client, "not the password")
    assert wrong.status_code == 401 and "パスワードが違います" in wrong.text
    for _ in range(4):
        post_login(client, "not the password")
    locked = post_login(client, support.PASSWORD)
    assert locked.status_code == 401  # locked, even with the right one
    clock.advance(minutes=auth.LOCKOUT.total_seconds() / 60 + 1)
    assert post_login(client, support.PASSWORD).status_code == 303


def test_a_locked_account_answers_exactly_like_an_unknown_email(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    for _ in range(auth.MAX_FAILED_LOGINS):
        post_login(client, "not the password")
    locked = post_login(client, support.PASSWORD)
    unknown = post_as(client, "nobody@staff.test", support.PASSWORD)
    assert locked.status_code == unknown.status_code == 401
    message = re.compile(r'<p class="error" role="alert" id="login-error">(.*?)</p>', re.S)
    assert message.search(locked.text) and message.search(unknown.text)
    assert message.search(locked.text).group(1) == message.search(unknown.text).group(1)  # type: ignore[union-attr]
    en = client.post(
        "/login?lang=en",
        data={"email": "s@staff.test", "password": support.PASSWORD, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert en.status_code == 401 and "Wrong e-mail or password" in en.text


def test_unknown_locked_and_wrong_all_cost_one_password_check(
    client: Any, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Comparable work whatever the account: one Argon2 verification per attempt (timing is in bench/)."""
    support.staff(db, "s@staff.test", ["specialist"])
    calls: list[str] = []

    class CountingHasher:
        def __init__(self, real: Any) -> None:
            self.real = real

        def verify(self, hash: str, password: str) -> bool:
            calls.append(hash.rsplit("$", 2)[0])  # the algorithm and its cost parameters
            return bool(self.real.verify(hash, password))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

    monkeypatch.setattr(auth, "_hasher", CountingHasher(auth._hasher))
    post_as(client, "nobody@staff.test", "whatever")
    assert len(calls) == 1
    for _ in range(auth.MAX_FAILED_LOGINS):
        post_login(client, "not the password")
    assert len(calls) == 1 + auth.MAX_FAILED_LOGINS
    post_login(client, support.PASSWORD)  # locked now
    assert len(calls) == 2 + auth.MAX_FAILED_LOGINS
    assert len(set(calls)) == 1  # the same kind of hash every time (Argon2id, same parameters)


def test_a_locked_accounts_tokens_and_sessions_are_refused_while_it_is_locked(
    client: Any, db: Session, clock: FixedClock
) -> None:
    user = support.staff(db, "s@staff.test", ["specialist"])
    token = auth.create_api_token(user, db=db, at=clock.now())
    session, _csrf = auth.start_session(user, db=db, at=clock.now())
    db.flush()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=bearer).status_code == 200
    for _ in range(auth.MAX_FAILED_LOGINS):
        post_login(client, "not the password")
    assert client.get("/api/v1/cases", headers=bearer).status_code == 401
    client.cookies.set("mamori_session", session)
    assert client.get("/workspace").status_code == 401
    clock.advance(minutes=auth.LOCKOUT.total_seconds() / 60 + 1)
    assert client.get("/api/v1/cases", headers=bearer).status_code == 200


def test_a_name_with_a_line_break_or_an_invisible_control_is_refused_on_the_page(
    client: Any, db: Session
) -> None:
    for email, mark in [("s@staff.test\r\nX-Injected: 1", "改行"), ("s@staff.test\u202e", "U+202E")]:
        answer = post_as(client, email, "x")
        assert answer.status_code == 422 and mark in answer.text


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


def limited_app(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], **over: Any
) -> Any:
    from mamori.web.app import create_app

    return create_app(
        settings.model_copy(update={"login_attempts_per_minute": 3, **over}),
        clock=clock,
        session_factory=session_factory,
    )


def test_a_forged_forwarded_for_header_does_not_reset_the_limit(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], db: Session
) -> None:
    from fastapi.testclient import TestClient

    support.staff(db, "s@staff.test", ["specialist"])
    with TestClient(limited_app(settings, clock, session_factory), client=("127.0.0.1", 5000)) as limited:
        codes = []
        for n in range(4):
            limited.headers["X-Forwarded-For"] = f"203.0.113.{n}"
            codes.append(post_login(limited, "not the password").status_code)
    assert codes == [401, 401, 401, 429]


def test_a_trusted_proxy_is_believed_about_the_client_it_forwards(
    settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], db: Session
) -> None:
    from fastapi.testclient import TestClient

    support.staff(db, "s@staff.test", ["specialist"])
    app = limited_app(settings, clock, session_factory, trusted_proxies="10.0.0.0/8")
    with TestClient(app, client=("10.1.2.3", 5000)) as behind_proxy:
        codes = []
        for n in range(4):
            behind_proxy.headers["X-Forwarded-For"] = f"203.0.113.{n}, 10.9.9.9"
            codes.append(post_login(behind_proxy, "not the password").status_code)
        assert codes == [401, 401, 401, 401]  # four different people behind the proxy
        behind_proxy.headers["X-Forwarded-For"] = "203.0.113.0"
        assert [post_login(behind_proxy, "x").status_code for _ in range(3)][-1] == 429
