"""Cross-origin use of the public detection routes by the embeddable stop-and-think prompt.

A platform adds /awareness/prompt.js to its own post box, on its own origin; the script then calls
`POST /api/v1/nudge` (and `/api/v1/detect` for the flagged words). Only these routes answer other
origins: no cookie is sent or read (`Access-Control-Allow-Credentials` is never set), so nothing a
signed-in person may do is reachable this way, and CSRF does not arise.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EMBED_PATHS = frozenset({"/api/v1/nudge", "/api/v1/detect"})
PREFLIGHT = {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": "POST",
    "access-control-allow-headers": "Content-Type",
    "access-control-max-age": "86400",
}


class EmbedCORSMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in EMBED_PATHS:
            await self.app(scope, receive, send)
            return
        if scope.get("method") == "OPTIONS":
            headers = [(k.encode(), v.encode()) for k, v in PREFLIGHT.items()]
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_origin(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["access-control-allow-origin"] = "*"
            await send(message)

        await self.app(scope, receive, with_origin)
