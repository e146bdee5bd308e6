"""On a phone (390×844), the language switch of the public pages: an English browser is answered in
English, one tap gives やさしい日本語 (plain Japanese) on the same page with its query kept (the status
key), the choice stays on the next pages, and the switch fits the screen with targets big enough to tap.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from mamori.core.db import transaction
from mamori.requests import service as requests
from tests.browser import live
from tests.conftest import loud_skip
from tests.support.smtp import MailSink
from tests.workspace import support

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-US"}
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _switch_link(page: Any, code: str) -> Any:
    return page.locator(f'nav.langs a[data-lang="{code}"]')


def _fits(page: Any) -> None:
    page.wait_for_load_state()  # after a click that navigates: the new page, loaded
    width = page.evaluate(
        "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
    )
    assert width <= 390, f"{page.url} is {width} px wide on a 390 px screen"
    for code in ("ja", "en", "ja-easy"):
        box = _switch_link(page, code).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, (code, box)
        assert box["height"] >= 24, f"the {code} link is {box['height']} px high: too small to tap"


def test_the_switch_on_a_phone_changes_the_language_and_keeps_the_page(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(app.factory) as db:
        receipt = requests.file_request(
            support.request_form(content_url="https://board.example/t/7"),
            db=db,
            settings=app.settings,
            at=app.clock.now(),
            by=support.SYSTEM,
        )
    status = f"/status/{receipt.receipt_number}?key={receipt.follow_secret}"
    with app.server:
        context = browser.new_context(**PHONE)  # an English phone: Accept-Language en-US
        page = context.new_page()
        page.set_default_timeout(8000)

        page.goto(f"{app.url}{status}")
        assert page.get_attribute("html", "lang") == "en"
        assert page.locator("h1").inner_text().startswith("Your request")
        _fits(page)

        _switch_link(page, "ja-easy").tap()
        page.wait_for_url("**lang=ja-easy")
        here = urlsplit(page.url)
        assert here.path == f"/status/{receipt.receipt_number}"
        assert parse_qs(here.query)["key"] == [receipt.follow_secret]  # still the same case
        assert page.get_attribute("html", "lang") == "ja"
        assert page.locator("h1").inner_text().startswith("あなたの もうしで")
        assert _switch_link(page, "ja-easy").get_attribute("aria-current") == "true"
        _fits(page)

        # the next page, reached without ?lang, keeps the choice against the English browser
        page.goto(f"{app.url}/request")
        assert "アカウントは いりません。" in page.inner_text("main")
        assert _switch_link(page, "ja-easy").get_attribute("aria-current") == "true"
        _fits(page)

        _switch_link(page, "ja").tap()
        page.wait_for_url("**lang=ja")
        assert "アカウントは不要です。" in page.inner_text("main")
        _switch_link(page, "en").tap()
        page.wait_for_url("**lang=en")
        assert page.get_attribute("html", "lang") == "en"
        assert urlsplit(page.url).path == "/request"
        context.close()


def test_the_plain_japanese_pages_pass_axe_on_a_phone(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core@4)")
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with app.server:
        context = browser.new_context(**PHONE, bypass_csp=True)  # axe is injected as an inline script
        page = context.new_page()
        page.set_default_timeout(8000)
        problems: dict[str, list[str]] = {}
        for url in ("/", "/request", "/criteria", "/drafting/deletion", "/evidence", "/no-such-page"):
            page.goto(f"{app.url}{url}?lang=ja-easy")
            page.add_script_tag(path=str(AXE))
            found = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".filter(v => ['serious', 'critical'].includes(v.impact))"
                ".map(v => `${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`)"
            )
            if found:
                problems[url] = list(found)
        context.close()
    assert problems == {}
