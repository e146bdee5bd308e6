"""The stop-and-think prompt on a platform's own origin may call the nudge and detection routes (issue 18):
their preflight is answered and their answers carry Access-Control-Allow-Origin; no other route does, and
no credentials are ever allowed across origins."""

from __future__ import annotations

from typing import Any

import pytest

ORIGIN = {"Origin": "https://sns.example.jp"}


@pytest.mark.parametrize("path", ["/api/v1/nudge", "/api/v1/detect"])
def test_the_embed_routes_answer_a_preflight(client: Any, path: str) -> None:
    answer = client.options(
        path,
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in answer.headers


def test_a_cross_origin_nudge_is_answered_and_readable(client: Any) -> None:
    answer = client.post("/api/v1/nudge", json={"text": "お前を殺してやる"}, headers=ORIGIN)
    assert answer.status_code == 200 and answer.json()["nudge"] is True
    assert answer.headers["access-control-allow-origin"] == "*"


def test_other_routes_stay_same_origin(client: Any) -> None:
    answer = client.options(
        "/api/v1/removal-requests", headers={**ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in client.get("/criteria", headers=ORIGIN).headers
