"""Safe headers on every response: a Content-Security-Policy, no framing, no referrer, no caching.

- CSP: scripts and styles from this site only, plus inline blocks that are ours: a nonce per page
  rendered by `web.templating.render` (it marks each <script>/<style> of our templates; autoescaping
  means no data can bring its own tag) and the hash of every inline block of our templates that holds
  no template code (pages built outside `render`, like the evidence report). `style` attributes are
  allowed (CSS in an attribute runs no script; the templates still use a few). Nothing may frame a page.
- Referrer-Policy no-referrer: status, poster and inquiry pages carry their key in the address.
- Cache-Control no-store on everything but /static: staff pages, status pages and anything carrying
  personal data must not stay in a shared or a browser cache. A route that sets its own keeps it.

FastAPI's API docs (/api/docs, /redoc) load Swagger UI / ReDoc from jsDelivr with an inline start-up
script; they carry no data, so they get a policy that allows exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DOCS_PATHS = ("/api/docs", "/redoc")
STATIC_PREFIX = "/static/"
_INLINE_BLOCK = re.compile(r"<(script|style)(\s[^>]*)?>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)

FIXED_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@cache
def template_hashes() -> dict[str, tuple[str, ...]]:
    """'sha256-…' of each static inline <script> / <style> block in the templates, by kind."""
    found: dict[str, set[str]] = {"script": set(), "style": set()}
    for template in sorted(PACKAGE_DIR.glob("*/templates/**/*.html")):
        for kind, attrs, body in _INLINE_BLOCK.findall(template.read_text(encoding="utf-8")):
            if (
                "src=" in (attrs or "")
                or any(mark in body for mark in ("{{", "{%", "{#"))
                or not body.strip()
            ):
                continue
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            found[kind.lower()].add(f"'sha256-{digest}'")
    return {kind: tuple(sorted(hashes)) for kind, hashes in found.items()}


def content_security_policy(nonce: str | None = None) -> str:
    """The policy of our pages; `nonce` allows the inline blocks of the page rendered with it."""
    hashes = template_hashes()
    extra = f" 'nonce-{nonce}'" if nonce else ""
    scripts = " ".join(("'self'", *hashes["script"])) + extra
    styles = " ".join(("'self'", *hashes["style"])) + extra
    return (
        f"default-src 'self'; script-src {scripts}; style-src {styles}; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope["path"])
        policy = DOCS_POLICY if path.startswith(DOCS_PATHS) else content_security_policy()
        cacheable = path.startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                wanted = {**FIXED_HEADERS, "content-security-policy": policy}
                if not cacheable:
                    wanted["cache-control"] = "no-store"
                headers += [(k.encode(), v.encode()) for k, v in wanted.items() if k.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
