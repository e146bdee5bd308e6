"""CSRF: checked whatever the Content-Type's case, bound to the session once signed in, to its cookie
before; a request without a valid cookie is refused before its body is read."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import auth
from tests.workspace import support


def in_own_loop(call: Any) -> None:
    """Runs an ASGI call on an event loop of its own thread (a browser test may hold this thread's)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(call)
        except BaseException as exc:  # handed to the test's thread
            failure.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def anonymous_token(client: Any) -> str:
    client.get("/login")
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def sign_in(client: Any, db: Session, email: str = "s@staff.test") -> str:
    """Signs in through the page; returns the CSRF token its next page carries."""
    support.staff(db, email, ["specialist"])
    data = {"email": email, "password": support.PASSWORD, "csrf_token": anonymous_token(client)}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    return page_token(client)


def page_token(client: Any) -> str:
    page = client.get("/login").text
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_an_upper_case_form_content_type_is_checked_like_any_form(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    anonymous_token(client)
    body = "email=s%40staff.test&password=a+long+enough+staff+password"
    for content_type in (
        "APPLICATION/X-WWW-FORM-URLENCODED",
        "Application/x-www-form-urlencoded; charset=UTF-8",
        " multipart/FORM-DATA; boundary=x",
        "text/plain",
    ):
        answer = client.post(
            "/login", content=body, headers={"Content-Type": content_type}, follow_redirects=False
        )
        assert answer.status_code == 403, content_type


def test_a_signed_in_form_needs_the_token_of_its_own_session(client: Any, db: Session) -> None:
    from mamori.web.csrf import session_csrf_token

    client.get("/login")
    planted = client.cookies.get("mamori_csrf")  # a validly signed anonymous cookie and its token
    mine = sign_in(client, db)
    other_user = support.staff(db, "other@staff.test", ["specialist"])
    other_session, _ = auth.start_session(other_user, db=db, at=client.app.state.clock.now())
    db.flush()
    theirs = session_csrf_token(client.app.state.settings.secret_key, other_session)
    for wrong in (theirs, "forged-token"):
        assert client.post("/logout", data={"csrf_token": wrong}, follow_redirects=False).status_code == 403
    # an anonymous cookie and its token (planted, say, by a sibling subdomain) do not stand in for it
    session = client.cookies.get("mamori_session")
    client.cookies.clear()
    client.cookies.set("mamori_session", session)
    client.cookies.set("mamori_csrf", planted)
    data = {"csrf_token": planted.split(".")[0]}
    assert client.post("/logout", data=data, follow_redirects=False).status_code == 403
    assert client.post("/logout", data={"csrf_token": mine}, follow_redirects=False).status_code == 303


def test_the_cookie_after_sign_in_carries_the_sessions_token(client: Any, db: Session) -> None:
    token = sign_in(client, db)
    assert client.cookies.get("mamori_csrf").split(".")[0] == token


def test_an_anonymous_token_is_bound_to_its_signed_cookie(client: Any, db: Session) -> None:
    token = anonymous_token(client)
    client.cookies.clear()
    client.cookies.set("mamori_csrf", f"{token}.{'0' * 32}")  # same token, forged signature
    data = {"email": "x@example.jp", "password": "x", "csrf_token": token}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 403


def test_json_with_a_session_cookie_needs_the_header(client: Any, db: Session) -> None:
    token = sign_in(client, db)
    assert client.post("/logout", json={}, follow_redirects=False).status_code == 403
    answer = client.post("/logout", json={}, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert answer.status_code == 303


def test_a_token_that_is_not_ascii_is_refused_not_a_500(client: Any) -> None:
    anonymous_token(client)
    answer = client.post("/login", data={"csrf_token": "トークン", "email": "a@b.jp", "password": "x"})
    assert answer.status_code == 403
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": b"\xe9"}
    assert client.post("/login", headers=form, content=b"email=a").status_code == 403


def test_a_form_without_a_valid_cookie_is_refused_before_its_body_is_read(client: Any) -> None:
    """A 64 MB anonymous form post to a path that does not exist: refused at once, nothing read."""
    app = client.app
    read: list[int] = []

    async def receive() -> dict[str, Any]:
        read.append(1)
        return {"type": "http.request", "body": b"x" * 65536, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/no/such/path",
        "raw_path": b"/no/such/path",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded"), (b"host", b"testserver")],
        "client": ("192.0.2.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    in_own_loop(app(scope, receive, send))
    assert sent[0]["status"] == 403 and read == []


def test_a_multipart_upload_is_checked_from_its_first_part() -> None:
    from mamori.web.csrf import _multipart_field

    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\ntok\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n' + b"x" * 10
    )
    assert _multipart_field(body, b"b", "csrf_token") == "tok"
    assert _multipart_field(body[:30], b"b", "csrf_token") is None  # not complete yet: read on
    assert _multipart_field(b"--b--\r\n", b"b", "csrf_token") == ""  # ended without it
