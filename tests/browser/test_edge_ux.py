"""On a phone (390 px): the quick exit of every public page stays in reach at any scroll position,
leaves nothing to go Back to, and no public page is wider than the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.web import templating
from tests.browser import live
from tests.support.smtp import MailSink

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "ja-JP"}
PUBLIC_PAGES = ("/", "/request", "/criteria", "/drafting", "/evidence", "/login", "/no-such-page")


def _quick_exit_in_view(page: Any) -> bool:
    box = page.locator(".quick-exit").bounding_box()
    height = page.evaluate("window.innerHeight")
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= height and box["height"] >= 44


def _leave_and_check(page: Any, url: str, exit_url: str) -> None:
    page.goto(url)
    width = page.evaluate(
        "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
    )
    assert width <= 390, f"{url} is {width} px wide on a 390 px screen"
    page.mouse.wheel(0, 4000)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    if page.evaluate("document.documentElement.scrollHeight > window.innerHeight + 1"):
        assert page.evaluate("window.scrollY") > 0, f"{url} did not scroll"
    assert _quick_exit_in_view(page), f"quick exit out of sight after scrolling on {url}"
    history = page.evaluate("history.length")
    page.locator(".quick-exit").click()
    page.wait_for_url(exit_url)
    assert page.evaluate("history.length") == history, "the quick exit adds no history entry"
    page.go_back()
    assert page.url != url, "Back must not bring the page back"


def test_quick_exit_stays_in_reach_and_leaves_no_way_back(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    exit_url = f"{app.url}/static/mamori.css"
    monkeypatch.setattr(templating, "EXIT_URL", {"ja": exit_url, "en": exit_url})
    with app.server:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.set_default_timeout(8000)
        page.goto(f"{app.url}/request")
        live.fill_request_form(page)
        follow = page.get_attribute("#follow-link", "href")
        assert follow
        status_url = follow if follow.startswith("http") else f"{app.url}{follow}"
        for url in (f"{app.url}/request", status_url):
            fresh = context.new_page()  # a new tab: its history starts with this page
            _leave_and_check(fresh, url, exit_url)
            fresh.close()
        context.close()


def test_no_public_page_is_wider_than_a_phone_and_each_has_a_quick_exit(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with app.server:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.set_default_timeout(8000)
        for lang in ("ja", "en"):
            for path in PUBLIC_PAGES:
                page.goto(f"{app.url}{path}?lang={lang}")
                width = page.evaluate(
                    "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
                )
                assert width <= 390, f"{path} ({lang}) is {width} px wide on a 390 px screen"
                if path != "/login":
                    assert page.locator(".quick-exit").is_visible(), f"no quick exit on {path}"
        context.close()
