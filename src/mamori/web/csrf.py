"""CSRF protection for every form: a token bound to the session, or to a signed cookie before sign-in.

A page puts `<input type="hidden" name="csrf_token" value="{{ csrf_token }}">` in each form (a script
sends it in `X-CSRF-Token`). The token a request must carry:

- signed in (a `mamori_session` cookie): an HMAC of the session cookie under MAMORI_SECRET_KEY, so it
  is bound to that session: a token from another session, or one planted in the CSRF cookie, fails;
- anonymous: the random token of the signed `mamori_csrf` cookie (double submit, bound to its cookie).

Checked: every unsafe request from a browser, that is any request with a session cookie and any
form-like body (urlencoded, multipart, text/plain: what a cross-site form sends without a preflight),
whatever the case of its Content-Type. A Bearer-token request or JSON without a session cookie carries
no ambient credential and needs no token.

The body is read only when needed and never unbounded: without a valid cookie the request is refused
before a byte of its body is read; an urlencoded body is read up to MAMORI_MAX_BODY_BYTES; a multipart
body only up to the token's part (the first field of each of our forms, within MULTIPART_SCAN_BYTES),
and the rest streams on to the route.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mamori.web.limits import body_too_large

CSRF_COOKIE = "mamori_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "mamori_session"  # web.deps.SESSION_COOKIE
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
FORM_TYPES = {URLENCODED, MULTIPART, "text/plain"}
MULTIPART_SCAN_BYTES = 64 * 1024
_PART_NAME = re.compile(rb'content-disposition:[^\r\n]*?\bname="([^"]*)"', re.IGNORECASE)


def _sign(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]


def session_csrf_token(secret: str, session_cookie: str) -> str:
    """The token of a signed-in browser: bound to its session cookie (reveals nothing about it)."""
    mac = hmac.new(secret.encode(), b"mamori-csrf-session\x00" + session_cookie.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode()


def expected_token(secret: str, cookies: dict[str, str]) -> str | None:
    """The token a form from this browser must carry, or None when it has no valid one yet."""
    session = cookies.get(SESSION_COOKIE)
    if session:
        return session_csrf_token(secret, session)
    token, _, sig = cookies.get(CSRF_COOKIE, "").partition(".")
    if token and hmac.compare_digest(sig.encode(), _sign(secret, token).encode()):
        return token
    return None


def csrf_token_for(request: Request) -> str:
    existing = getattr(request.state, "csrf_token", None)
    if existing:
        return str(existing)
    secret = request.app.state.settings.secret_key
    token = expected_token(secret, dict(request.cookies)) or secrets.token_urlsafe(24)
    request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    secret = request.app.state.settings.secret_key
    response.set_cookie(
        CSRF_COOKIE,
        f"{token}.{_sign(secret, token)}",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def _refusal() -> Response:
    return Response(
        "CSRF 検証に失敗しました。ページを再読み込みしてから、もう一度送信してください。\n"
        "CSRF check failed: reload the page and submit again.\n",
        status_code=403,
        media_type="text/plain; charset=utf-8",
    )


class CSRFMiddleware:
    """Refuses unsafe browser requests whose token is not the one expected (403)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("authorization", "")[:7].lower() == "bearer ":
            await self.app(scope, receive, send)
            return
        media_type, params = _content_type(headers.get("content-type", ""))
        cookies = _parse_cookies(headers.get("cookie", ""))
        if SESSION_COOKIE not in cookies and media_type not in FORM_TYPES:
            # JSON without ambient credentials (public API): nothing a forged request could ride on.
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        expected = expected_token(settings.secret_key, cookies)
        if expected is None:
            await _refusal()(scope, receive, send)  # refused before reading the body
            return
        sent = headers.get(CSRF_HEADER, "")
        read: list[Message] = []
        if not sent and media_type == URLENCODED:
            read, complete = await _read_up_to(receive, settings.max_body_bytes)
            if not complete:
                await body_too_large(scope, settings.max_body_bytes)(scope, receive, send)
                return
            body = b"".join(m.get("body", b"") for m in read)
            sent = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
        elif not sent and media_type == MULTIPART and params.get("boundary"):
            read, sent = await _multipart_token(receive, params["boundary"].encode("latin-1"))
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            await _refusal()(scope, receive, send)
            return
        replay = iter(read)

        async def replay_receive() -> Message:
            return next(replay, None) or await receive()

        await self.app(scope, replay_receive, send)


def _content_type(header: str) -> tuple[str, dict[str, str]]:
    """The media type in lower case ("Application/X-WWW-Form-Urlencoded" is a form too) and its parameters."""
    media_type, *rest = header.split(";")
    params = {}
    for part in rest:
        name, _, value = part.strip().partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return media_type.strip().lower(), params


def _parse_cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value.strip('"')
    return out


async def _read_up_to(receive: Receive, limit: int) -> tuple[list[Message], bool]:
    """The body's messages, and whether it ended within `limit` bytes (reading stops beyond)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if size > limit:
            return messages, False
        if message["type"] != "http.request" or not message.get("more_body", False):
            return messages, True


async def _multipart_token(receive: Receive, boundary: bytes) -> tuple[list[Message], str]:
    """Reads until the csrf_token part is complete (or MULTIPART_SCAN_BYTES); the rest is left unread."""
    messages: list[Message] = []
    prefix = b""
    while True:
        message = await receive()
        messages.append(message)
        prefix += message.get("body", b"")
        found = _multipart_field(prefix, boundary, CSRF_FIELD)
        ended = message["type"] != "http.request" or not message.get("more_body", False)
        if found is not None or ended or len(prefix) > MULTIPART_SCAN_BYTES:
            return messages, found or ""


def _multipart_field(prefix: bytes, boundary: bytes, name: str) -> str | None:
    """The value of part `name` if it is complete in `prefix`; "" if the body ended without it; None
    while it may still come."""
    delimiter = b"--" + boundary
    at = prefix.find(delimiter)
    while at >= 0:
        head = at + len(delimiter)
        if prefix[head : head + 2] == b"--":
            return ""
        head_end = prefix.find(b"\r\n\r\n", head)
        if head_end < 0:
            return None
        value_end = prefix.find(b"\r\n" + delimiter, head_end + 4)
        if value_end < 0:
            return None
        part_name = _PART_NAME.search(prefix[head:head_end])
        if part_name and part_name.group(1).decode("utf-8", "replace") == name:
            return prefix[head_end + 4 : value_end].decode("utf-8", "replace")
        at = value_end + 2
    return None
