from __future__ import annotations

from typing import Any


def test_healthz_answers_when_the_database_is_up(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
