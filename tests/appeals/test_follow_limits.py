"""Pages opened with a secret key (the status page, the poster's page, objections, inquiry answers) are
rate-limited per client address, so keys cannot be found by trying."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.config import Settings
from tests.factories import make_service, request_payload


def test_guessing_follow_keys_is_stopped_after_the_limit(
    client: Any, db: Session, settings: Settings
) -> None:
    make_service(db)
    client.app.state.settings = settings.model_copy(update={"follow_rate_limit_per_minute": 3})
    receipt = client.post("/api/v1/removal-requests", json=request_payload()).json()
    tries = [
        client.get(f"/status/{receipt['receipt_number']}?key=guess").status_code,
        client.get(f"/api/v1/status/{receipt['receipt_number']}?key=guess").status_code,
        client.get("/inquiry/answer/guess").status_code,
        client.get(f"/poster/{receipt['id']}?key=guess").status_code,
    ]
    assert tries[:3] == [404, 404, 404] and tries[3] == 429
    # the real key is refused too for a while: the limit counts tries, not failures
    assert client.get(receipt["follow_url"].split("testserver")[-1]).status_code == 429
