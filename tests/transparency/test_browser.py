"""The public page of figures and the administrators' report page in a real browser at 390 px (a phone):
nothing wider than the screen, in Japanese and in English, with a published report and its correction."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mamori.core.audit import Actor
from mamori.core.db import transaction
from mamori.criteria.model import Measure
from mamori.transparency import builds, service
from tests.browser import live
from tests.transparency.support import Builder, jst
from tests.workspace import support

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def app(fresh_database_url: str, mail: Any, tmp_path: Path) -> Iterator[live.Live]:
    running = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(running.factory) as db:
        legal = support.staff(db, "legal@reports.test", ["legal_officer"], "法務 担当")
        specialist = support.staff(db, "sp@reports.test", ["specialist"], "専門 担当").actor()
        b = Builder(db, running.settings, running.clock, running.factory)
        for i, measure in enumerate((Measure.REMOVE, Measure.NO_ACTION, Measure.RESTRICT_VISIBILITY)):
            case_id = b.file(jst(2026, 2, 1 + i, 9), rights=["名誉権", "プライバシー"])
            b.decide(case_id, jst(2026, 2, 3 + i, 9), measure, specialist)
        running.clock.set(jst(2026, 4, 2, 9))
        service.write_self_evaluation(
            2025, "初年度。" * 40, "First year. " * 40, db=db, at=running.clock.now(), by=legal.actor()
        )
        service.publish(2025, db=db, at=running.clock.now(), by=Actor.system())
        running.clock.set(jst(2026, 4, 10, 9))
        service.write_self_evaluation(
            2025, "初年度の訂正。" * 40, "", db=db, at=running.clock.now(), by=legal.actor()
        )
        service.publish(2025, db=db, at=running.clock.now(), by=Actor.system())
        builds.build_now(2025, db=db, at=running.clock.now(), by=Actor.system())
        builds.request_build(2026, db=db, at=running.clock.now(), by=Actor.system())  # waits: no worker here
    with running.server:
        yield running


WIDER = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > 391)
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 60))"""


def fits(page: Any) -> bool:
    """Nothing is wider than the phone (the widest elements are named when something is)."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390, page.evaluate(WIDER)
    return True


def test_the_report_pages_fit_a_phone(browser: Any, app: live.Live) -> None:
    base = app.url
    phone = browser.new_context(**PHONE, locale="ja-JP")
    page = phone.new_page()
    for lang, heading in (("ja", "2025年度"), ("en", "Reporting year 2025")):
        page.goto(f"{base}/transparency?lang={lang}")
        assert heading in page.locator("main").inner_text()
        assert page.locator(".correction").count() == 1
        assert fits(page), f"/transparency?lang={lang} is wider than 390 px"
        page.goto(f"{base}/transparency/2025/1.html?lang={lang}")
        assert fits(page), f"the published report ({lang}) is wider than 390 px"
    page.goto(f"{base}/login")
    page.fill("#email", "legal@reports.test")
    page.fill("#password", support.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for lang in ("ja", "en"):
        page.goto(f"{base}/reports/2025?lang={lang}")
        assert page.locator("#text_ja").is_visible() and page.locator("[data-figure]").count() > 0
        assert fits(page), f"/reports/2025?lang={lang} is wider than 390 px"
        page.goto(f"{base}/reports/2026?lang={lang}")  # not built yet, and a build waiting
        assert page.locator("#build-state").is_visible()
        assert fits(page), f"/reports/2026?lang={lang} is wider than 390 px"
    phone.close()
