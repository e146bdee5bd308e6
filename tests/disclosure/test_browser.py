"""The legal officer's pages and the poster's hearing page in Chromium: no serious or critical axe-core
violation in ja or en, the order form's errors reachable from its summary, and the hearing page no
wider than a phone."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.disclosure import demo_data, hearing, service, store
from mamori.notices import service as notices
from mamori.web.app import create_app
from tests.conftest import LiveServer
from tests.disclosure.support import LEGAL, request_body, seed_poster_logs
from tests.factories import STAFF_PASSWORD, make_staff

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`)"
    )
    return list(found)


def test_disclosure_pages_are_accessible_in_both_languages(
    browser: Any, fresh_database_url: str, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    settings = settings.model_copy(update={"database_url": fresh_database_url})
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    now = clock.now()
    with transaction(factory) as db:
        make_staff(db, ["legal_officer"], "legal@staff.test")
        demo_data.load_demo(db, at=now, settings=settings)
        seed_poster_logs(db, settings, now)
        request = service.submit_request(request_body(), db=db, settings=settings, at=now, by=LEGAL)
        sent = hearing.start_hearing(request.id, db=db, settings=settings, at=now, by=LEGAL)
        body = notices.body_of(notices.get(db, sent.notice_id), service.Sealer(settings.secret_key))  # type: ignore[arg-type]
        matter_ids = [m.id for m in store.matters(db, open_only=True)]
    link = re.search(r"/disclosure/hearing/\S+", body)
    assert link is not None
    try:
        with LiveServer(create_app(settings, clock=clock, session_factory=factory)) as server:
            context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
            page = context.new_page()
            page.goto(f"{server.url}/login?lang=en")
            page.fill("#email", "legal@staff.test")
            page.fill("#password", STAFF_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            problems = {}
            for lang in ("ja", "en"):
                for path in ["/disclosure", "/disclosure/providers", "/disclosure/orders/new"] + [
                    f"/disclosure/matters/{m}" for m in matter_ids
                ]:
                    page.goto(f"{server.url}{path}?lang={lang}")
                    assert page.locator("h1").count() == 1, path
                    problems[(lang, path)] = violations(page)
            page.goto(f"{server.url}/disclosure/orders/new?lang=en")
            page.click("#register-order")
            page.wait_for_selector(".error-summary")
            problems[("en", "order form with errors")] = violations(page)
            page.click(".error-summary a[href='#f-court']")
            assert page.locator("#f-court").get_attribute("aria-invalid") == "true"
            context.close()
            phone = browser.new_context(**PHONE, bypass_csp=True)
            poster = phone.new_page()
            poster.goto(f"{server.url}{link.group(0)}?lang=ja")
            assert poster.evaluate("document.documentElement.scrollWidth") <= 390
            problems[("ja", "hearing page")] = violations(poster)
            phone.close()
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        engine.dispose()
