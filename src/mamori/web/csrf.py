"""CSRF protection for every form: a double-submit token bound to a signed cookie.

A page puts `<input type="hidden" name="csrf_token" value="{{ csrf_token }}">` in each form; a POST
from a browser (a form, or JSON with a session cookie) must carry the same token, in the form field
or the `X-CSRF-Token` header. Requests authenticated by a Bearer token carry no ambient credential
and need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "mamori_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _sign(secret: str, token: str) -> str:
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]


def csrf_token_for(request: Request) -> str:
    existing = getattr(request.state, "csrf_token", None)
    if existing:
        return str(existing)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    secret = request.app.state.settings.secret_key
    token, _, sig = cookie.partition(".")
    if not token or not hmac.compare_digest(sig, _sign(secret, token)):
        token = secrets.token_urlsafe(24)
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


class CSRFMiddleware:
    """Refuses unsafe browser requests whose token does not match the signed cookie (403)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if headers.get("authorization", "").lower().startswith("bearer "):
            await self.app(scope, receive, send)
            return
        content_type = headers.get("content-type", "")
        is_form = content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))
        cookies = _parse_cookies(headers.get("cookie", ""))
        if not is_form and "mamori_session" not in cookies:
            # JSON without ambient credentials (public API): nothing a forged request could ride on.
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        messages: list[Message] = []
        while more:
            message = await receive()
            messages.append(message)
            body += message.get("body", b"")
            more = message.get("more_body", False)
        sent = headers.get(CSRF_HEADER, "")
        if not sent and content_type.startswith("application/x-www-form-urlencoded"):
            sent = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
        elif not sent and content_type.startswith("multipart/form-data"):
            sent = _multipart_field(body, CSRF_FIELD)
        secret = scope["app"].state.settings.secret_key
        token, _, sig = cookies.get(CSRF_COOKIE, "").partition(".")
        valid = (
            bool(token)
            and hmac.compare_digest(sig, _sign(secret, token))
            and hmac.compare_digest(sent, token)
        )
        if not valid:
            response = Response(
                "CSRF 検証に失敗しました。ページを再読み込みしてから、もう一度送信してください。\n"
                "CSRF check failed: reload the page and submit again.\n",
                status_code=403,
                media_type="text/plain; charset=utf-8",
            )
            await response(scope, receive, send)
            return
        replay = iter(messages)

        async def replay_receive() -> Message:
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replay_receive, send)


def _parse_cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            out[name] = value.strip('"')
    return out


def _multipart_field(body: bytes, name: str) -> str:
    marker = f'name="{name}"'.encode()
    at = body.find(marker)
    if at < 0:
        return ""
    start = body.find(b"\r\n\r\n", at)
    end = body.find(b"\r\n", start + 4)
    return body[start + 4 : end].decode("utf-8", "replace") if start >= 0 and end >= 0 else ""
