"""Request bodies are bounded before anything parses them (413, in Japanese and English).

The outermost body check of the app: a declared Content-Length over the path's limit is refused before
a byte is read, and the bytes actually received are counted as they stream in (a chunked body with no
length, or one that lies about it), so neither the CSRF check, nor the form and JSON parsers, nor a
route ever holds more than the limit. The limit is MAMORI_MAX_BODY_BYTES; only the paths that take
uploads get more (evidence: MAMORI_EVIDENCE_MAX_UPLOAD_BYTES and room for the form around the file).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mamori.core.config import Settings

# Room for the multipart framing and the small fields sent with an uploaded file.
FORM_OVERHEAD_BYTES = 1024 * 1024


def path_limits(settings: Settings) -> dict[str, int]:
    """Paths whose bodies may exceed MAMORI_MAX_BODY_BYTES, with their own limit."""
    upload = settings.evidence_max_upload_bytes + FORM_OVERHEAD_BYTES
    kit = settings.evidence_kit_max_bytes + FORM_OVERHEAD_BYTES
    return {
        "/evidence/uploads": upload,
        "/api/v1/evidence/uploads": upload,
        "/evidence/kit": kit,
        "/request": kit,  # the public removal-request form may carry screenshots
        "/drafting/deletion": kit,  # the drafting forms hash the files a person chooses (none is kept)
        "/drafting/disclosure": kit,
        "/api/v1/logs/imports": settings.logs_import_max_bytes,  # the file itself is the body
    }


def body_too_large(scope: Scope, limit: int) -> Response:
    """The 413 answer: JSON on the API, plain text elsewhere; both languages either way."""
    mib = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    ja = f"送信された内容が大きすぎます (上限 {mib} MB)。小さくしてから送ってください。"
    en = f"The request is too large (limit {mib} MB); send less."
    if str(scope.get("path", "")).startswith("/api/"):
        body = {"error": "body_too_large", "message": {"ja": ja, "en": en}, "detail": []}
        return Response(
            json.dumps(body, ensure_ascii=False),
            status_code=413,
            media_type="application/json",
            headers={"Connection": "close"},
        )
    return Response(
        f"{ja}\n{en}\n",
        status_code=413,
        media_type="text/plain; charset=utf-8",
        headers={"Connection": "close"},
    )


class _TooLarge(Exception):
    """Raised into the app from `receive` once the body passes its limit."""


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default_limit: int, limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await body_too_large(scope, limit)(scope, receive, send)
            return
        received = 0
        too_large = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # whatever the app made of the cut-off body; the 413 below answers instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await body_too_large(scope, limit)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
