"""The prompt's counter: only the event kind, the site and the day are kept; any site may call it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.awareness import service
from mamori.awareness.store import PromptCountRow
from mamori.core.clock import JST, FixedClock


def site_id() -> str:
    """A site of its own per test (SQLite keeps what the test client committed)."""
    return f"board-{uuid.uuid4().hex[:12]}.example"


def rows_of(db: Session, site: str) -> list[PromptCountRow]:
    query = select(PromptCountRow).where(PromptCountRow.site == site)
    return list(db.scalars(query.order_by(PromptCountRow.day, PromptCountRow.kind)))


def test_events_are_counted_per_site_kind_and_day_in_japan(
    client: Any, db: Session, clock: FixedClock
) -> None:
    site = site_id()
    for kind in ("shown", "shown", "edited"):
        assert (
            client.post("/api/v1/awareness/prompt-events", json={"kind": kind, "site": site}).status_code
            == 204
        )
    clock.set(dt.datetime(2026, 4, 2, 0, 30, tzinfo=JST))  # after midnight in Japan: a new day
    client.post("/api/v1/awareness/prompt-events", json={"kind": "shown", "site": site})
    assert [(r.day.isoformat(), r.kind, r.count) for r in rows_of(db, site)] == [
        ("2026-04-01", "edited", 1),
        ("2026-04-01", "shown", 2),
        ("2026-04-02", "shown", 1),
    ]


def test_no_text_can_be_sent_with_an_event(client: Any, db: Session) -> None:
    site = site_id()
    answer = client.post(
        "/api/v1/awareness/prompt-events", json={"kind": "shown", "site": site, "text": "死ね"}
    )
    assert answer.status_code == 422
    assert rows_of(db, site) == []
    columns = set(PromptCountRow.__table__.columns.keys())
    assert columns == {"id", "day", "site", "kind", "count"}  # nowhere to keep a text, an address or a time


def test_unknown_kinds_and_odd_site_ids_are_refused_in_both_languages(client: Any) -> None:
    bad_kind = client.post("/api/v1/awareness/prompt-events", json={"kind": "liked", "site": "a"})
    assert bad_kind.status_code == 422 and bad_kind.json()["detail"][0]["field"] == "kind"
    bad_site = client.post("/api/v1/awareness/prompt-events", json={"kind": "shown", "site": "Not A Site!"})
    assert bad_site.status_code == 422 and set(bad_site.json()["message"]) == {"ja", "en"}


def test_another_site_may_send_events_cross_origin(client: Any) -> None:
    preflight = client.options(
        "/api/v1/awareness/prompt-events",
        headers={
            "Origin": "https://board.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    sent = client.post(
        "/api/v1/awareness/prompt-events",
        json={"kind": "edited", "site": "board.example"},
        headers={"Origin": "https://board.example"},
    )
    assert sent.status_code == 204 and sent.headers["access-control-allow-origin"] == "*"


def test_events_are_rate_limited_per_address(settings: Any, clock: FixedClock, session_factory: Any) -> None:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    app = create_app(
        settings.model_copy(update={"awareness_events_rate_limit_per_minute": 3}),
        clock=clock,
        session_factory=session_factory,
    )
    with TestClient(app) as limited:
        codes = [
            limited.post("/api/v1/awareness/prompt-events", json={"kind": "shown", "site": "s"}).status_code
            for _ in range(4)
        ]
    assert codes == [204, 204, 204, 429]


def test_the_script_is_served_small_and_cacheable(client: Any) -> None:
    script = client.get("/awareness/prompt.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "max-age=86400" in script.headers["cache-control"]
    assert len(script.content) < 10_000
    assert "/api/v1/nudge" in script.text and "import " not in script.text


def test_figures_add_up_and_the_page_shows_them(client: Any, db: Session, clock: FixedClock) -> None:
    at, site = clock.now(), site_id()
    for kind in ("shown", "shown", "shown", "shown", "edited", "posted_anyway"):
        service.record_prompt_event(kind, site, db=db, at=at)
    day = at.astimezone(JST).date()
    figures = service.prompt_figures(db=db, since=day - dt.timedelta(days=6), until=day, site=site)
    assert figures.totals == {"shown": 4, "edited": 1, "posted_anyway": 1}
    assert figures.edited_share == 0.25 and len(figures.days) == 7
    from tests.awareness.factories import PASSWORD, coordinator  # a coordinator holds awareness.read

    email = f"coord-{uuid.uuid4().hex[:8]}@caravan.test"
    coordinator(db, email)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)})
    page = client.get(f"/awareness/prompt-figures?lang=en&site={site}")
    assert page.status_code == 200 and 'id="total-shown">4<' in page.text
    chart = client.get("/awareness/prompt-figures.png")
    assert chart.status_code == 200 and chart.content[:8] == b"\x89PNG\r\n\x1a\n"


def _csrf(client: Any) -> str:
    import re

    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)
