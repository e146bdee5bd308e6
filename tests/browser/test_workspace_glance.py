"""The workspace at a glance in a real Chromium: the queue above the fold at 1366×900, the case page
no wider than a 390 px phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mamori.core.db import transaction
from tests.browser import live
from tests.support.smtp import MailSink
from tests.workspace import support


def test_queue_above_the_fold_and_case_page_fits_a_phone(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(app.factory) as db:
        case_id = support.file(db, app.settings, app.clock.now())
    with app.server:
        base = app.url
        desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")
        page = desk.new_page()
        page.set_default_timeout(8000)
        live.sign_in(page, base, "first@staff.test")
        assert not page.locator("#queue-filters").get_attribute("open")  # folded: nothing chosen yet
        first_row = page.locator("#queue tbody tr").first
        box = first_row.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900, box
        assert page.evaluate("window.scrollY") == 0
        assert "残り" in first_row.inner_text()
        page.screenshot(path=str(tmp_path / "queue-1366.png"))

        phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
        small = phone.new_page()
        small.set_default_timeout(8000)
        live.sign_in(small, base, "first@staff.test")
        small.goto(f"{base}/workspace/cases/{case_id}?lang=ja")
        assert small.locator("#post-beside-clause").is_visible()
        width = small.evaluate(
            "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
        )
        assert width <= 390, width
        small.select_option("#clause", "")  # the page's own script follows the choice
        assert small.inner_text("#clause-title") == "条項が選ばれていません"
        small.select_option("#clause", "2.1")
        assert "社会的評価を低下させる" in small.inner_text("#clause-text")
        small.screenshot(path=str(tmp_path / "case-390.png"), full_page=True)
