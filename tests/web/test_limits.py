"""Bodies are bounded before they are parsed: 413 from Content-Length before a byte is read, 413 when a
streamed body passes the limit, more room only where uploads need it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mamori.core.config import Settings
from mamori.web.app import create_app
from mamori.web.limits import FORM_OVERHEAD_BYTES


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


def asgi_post(
    app: Any, path: str, chunks: Iterator[bytes], headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes, int]:
    """POST through the whole ASGI app; returns status, headers, body and the bytes the app read."""
    consumed = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal consumed
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
        "client": ("192.0.2.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    in_own_loop(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, consumed


@pytest.fixture
def app() -> Any:
    return create_app(Settings(database_url="sqlite://", env="test", max_body_bytes=64 * 1024))


def megabytes(n: int) -> Iterator[bytes]:
    return (b"x" * 65536 for _ in range(n * 16))


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(app: Any) -> None:
    for path in ("/api/v1/detect", "/no/such/path", "/login"):
        status, headers, body, consumed = asgi_post(
            app,
            path,
            megabytes(64),
            {"content-length": str(64 * 1024 * 1024), "content-type": "application/json"},
        )
        assert (status, consumed) == (413, 0), path
    assert "大きすぎます" in body.decode() and "too large" in body.decode()
    assert headers["x-frame-options"] == "DENY"  # refusals get the safe headers too


def test_a_streamed_body_is_counted_and_cut_at_the_limit(app: Any) -> None:
    status, headers, body, consumed = asgi_post(
        app, "/api/v1/detect", megabytes(64), {"content-type": "application/json"}
    )
    assert status == 413 and consumed <= 64 * 1024 + 65536
    assert headers["content-type"].startswith("application/json") and b"body_too_large" in body


def test_a_streamed_form_is_cut_at_the_limit_even_with_a_valid_csrf_cookie(app: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        client.get("/login")
        cookie = client.cookies.get("mamori_csrf")
    status, _headers, _body, consumed = asgi_post(
        app,
        "/login",
        megabytes(64),
        {"content-type": "application/x-www-form-urlencoded", "cookie": f"mamori_csrf={cookie}"},
    )
    assert status == 413 and consumed <= 64 * 1024 + 65536


def test_a_body_within_the_limit_goes_through(app: Any) -> None:
    payload = b'{"texts": ["ok"]}'
    status, _h, body, _c = asgi_post(
        app, "/api/v1/detect", iter([payload]), {"content-type": "application/json"}
    )
    assert status == 200 and b"results" in body


def test_evidence_uploads_get_the_evidence_upload_limit_and_no_more() -> None:
    settings = Settings(database_url="sqlite://", env="test", evidence_max_upload_bytes=3 * 1024 * 1024)
    app = create_app(settings)
    within = 3 * 1024 * 1024 + FORM_OVERHEAD_BYTES
    for path in ("/evidence/uploads", "/api/v1/evidence/uploads"):
        status, *_ = asgi_post(app, path, iter([]), {"content-length": str(within + 1)})
        assert status == 413
        status, *_ = asgi_post(app, path, iter([]), {"content-length": str(within)})
        assert status != 413  # reaches the route (which asks to sign in)
    status, *_ = asgi_post(app, "/api/v1/detect", iter([]), {"content-length": str(within)})
    assert status == 413
