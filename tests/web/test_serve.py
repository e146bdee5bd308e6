"""`mamori serve` as deployed: a forged X-Forwarded-For does not reset a limit, and follow keys never
reach the access log. The server is started with exactly the options `mamori serve` gives uvicorn."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import free_port


def serve_options(monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[Any, dict[str, Any]]:
    """The app and the uvicorn options `mamori serve --no-workers` would run with."""
    import uvicorn

    from mamori.cli import app as cli

    for name, value in {"MAMORI_DATABASE_URL": "sqlite://", "MAMORI_ENV": "test", **env}.items():
        monkeypatch.setenv(name, value)
    captured: dict[str, Any] = {}
    monkeypatch.setattr(
        uvicorn, "run", lambda application, **options: captured.update(app=application, **options)
    )
    result = CliRunner().invoke(cli, ["serve", "--no-workers"])
    assert result.exit_code == 0, result.output
    application = captured.pop("app")
    return application, captured


def test_serve_does_not_let_uvicorn_believe_forwarded_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    _app, options = serve_options(monkeypatch)
    assert options["proxy_headers"] is False
    assert options.get("server_header") is False


class Running:
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(application, **{**options, "port": self.port, "host": "127.0.0.1"})
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)


def test_a_forged_forwarded_for_from_a_local_client_does_not_reset_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    application, options = serve_options(monkeypatch, MAMORI_DETECT_RATE_LIMIT_PER_MINUTE="2")
    with Running(application, {**options, "log_level": "warning"}) as server:
        codes = [
            server.post("/api/v1/detect", {"texts": ["ok"]}, {"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


def test_a_configured_proxy_is_believed(monkeypatch: pytest.MonkeyPatch) -> None:
    application, options = serve_options(
        monkeypatch, MAMORI_DETECT_RATE_LIMIT_PER_MINUTE="2", MAMORI_TRUSTED_PROXIES="127.0.0.1,::1"
    )
    with Running(application, {**options, "log_level": "warning"}) as server:
        codes = [
            server.post("/api/v1/detect", {"texts": ["ok"]}, {"X-Forwarded-For": f"198.51.100.{n}"})
            for n in range(3)
        ]
    assert codes == [200, 200, 200]


def test_follow_keys_and_answer_tokens_never_reach_the_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    application, options = serve_options(monkeypatch)
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    with Running(application, {**options, "log_level": "info"}) as server:
        access = logging.getLogger("uvicorn.access")
        collect = Collect()
        access.addHandler(collect)
        try:
            server.get("/status/R-20260401-0001?key=SECRETKEY1&lang=ja")
            server.get("/api/v1/status/R-20260401-0001?key=SECRETKEY2")
            server.get("/poster/abc?key=SECRETKEY3")
            server.get("/inquiry/answer/SECRETTOKEN4?lang=en")
            time.sleep(0.2)
        finally:
            access.removeHandler(collect)
    logged = "\n".join(lines)
    assert "/status/R-20260401-0001?key=[redacted]&lang=ja" in logged
    assert "/inquiry/answer/[redacted]" in logged
    assert "SECRET" not in logged
