"""The stop-and-think prompt on its demo page, in a real Chromium, in Japanese and English: it shows
for an abusive text and not for a neutral one, works from the keyboard alone, is axe-core clean, and
the post still goes through when mamori's API is down. Public pages fit a 390px phone and carry the
quick exit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import live
from tests.browser.test_public_a11y import AXE, PHONE, violations
from tests.conftest import loud_skip

pytestmark = pytest.mark.browser
ABUSIVE = "お前は本当にバカで気持ち悪い。消えろ"
NEUTRAL = "今日はいい天気ですね。散歩に行きます。"
DIALOG = "dialog.mamori-prompt"


@pytest.fixture
def app(fresh_database_url: str, mail: Any, tmp_path: Path) -> Iterator[live.Live]:
    running = live.start(fresh_database_url, mail.url, tmp_path)
    with running.server:
        yield running


def open_demo(browser: Any, base: str, lang: str) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    events: list[str] = []
    page.on(
        "request",
        lambda r: (
            events.append(r.post_data or "") if r.url.endswith("/api/v1/awareness/prompt-events") else None
        ),
    )
    page.goto(f"{base}/awareness/demo?lang={lang}")
    return context, page, events


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_prompt_shows_for_abuse_and_keyboard_alone_edits_or_posts(
    browser: Any, app: live.Live, lang: str
) -> None:
    context, page, events = open_demo(browser, app.url, lang)
    try:
        page.keyboard.press("Tab")  # skip link, quick exit, ... then into the post box by keyboard only
        page.focus("#demo-text")
        page.keyboard.type(ABUSIVE)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")  # the Post button
        dialog = page.locator(DIALOG)
        dialog.wait_for(state="visible")
        title = "投稿する前に" if lang == "ja" else "Before you post"
        assert title in dialog.inner_text()
        assert "名誉毀損罪" in dialog.inner_text() if lang == "ja" else "defamation" in dialog.inner_text()
        assert dialog.locator("mark").count() >= 1 and "バカ" in dialog.locator("mark").all_inner_texts()[
            0
        ] + "".join(dialog.locator("mark").all_inner_texts())
        assert dialog.get_attribute("aria-labelledby") == "mamori-prompt-title"
        cases = dialog.locator("a[href*='/awareness/cases?topic=']")
        assert cases.count() == 1
        assert page.evaluate("document.activeElement.dataset.mamoriChoice") == "edit"
        found = violations(page)
        assert found == [], "\n".join(found)
        # Focus stays inside the dialog while tabbing, both ways.
        for key in ["Tab"] * 5 + ["Shift+Tab"] * 4:
            page.keyboard.press(key)
            assert page.evaluate("!!document.activeElement.closest('dialog.mamori-prompt')"), key
        page.evaluate("document.activeElement.blur()")  # even with focus lost to the page behind
        # Esc closes it (meaning "edit"), and does not fire the page's quick exit.
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")
        assert page.url.startswith(app.url) and page.evaluate("document.activeElement.id") == "demo-text"
        assert page.locator("#demo-posted").count() == 0
        # Send again and choose "post anyway" with the keyboard: the post goes through.
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        dialog.wait_for(state="visible")
        page.keyboard.press("Tab")  # from "edit" to "post anyway"
        assert page.evaluate("document.activeElement.dataset.mamoriChoice") == "post"
        page.keyboard.press("Enter")
        page.locator("#demo-posted").wait_for()
        kinds = [e for e in events if e]
        assert any('"shown"' in e for e in kinds) and any('"edited"' in e for e in kinds)
        assert any('"posted_anyway"' in e for e in kinds)
        assert all(ABUSIVE not in e and "バカ" not in e for e in kinds)  # no text in the counts
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_neutral_text_posts_without_a_prompt(browser: Any, app: live.Live, lang: str) -> None:
    context, page, _events = open_demo(browser, app.url, lang)
    try:
        nudges: list[str] = []
        page.on("response", lambda r: nudges.append(r.url) if "/api/v1/nudge" in r.url else None)
        page.fill("#demo-text", NEUTRAL)
        page.click("button[type=submit]")
        page.locator("#demo-posted").wait_for()
        assert nudges and page.locator(DIALOG).count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_post_goes_through_when_the_api_is_down(browser: Any, app: live.Live, lang: str) -> None:
    context, page, _events = open_demo(browser, app.url, lang)
    try:
        page.route("**/api/v1/nudge", lambda route: route.abort())
        page.fill("#demo-text", ABUSIVE)
        page.click("button[type=submit]")
        page.locator("#demo-posted").wait_for()
        assert page.locator(DIALOG).count() == 0
    finally:
        context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/awareness/demo?lang=ja",
        "/awareness/demo?lang=en",
        "/awareness/cases?lang=ja",
        "/awareness/cases?lang=ja-easy",
        "/awareness/cases?lang=en&topic=privacy",
        "/awareness/cases/fight-video-shared?lang=ja",
        "/awareness/cases/fight-video-shared?lang=ja-easy",
        "/awareness/cases/fight-video-shared?lang=en",
        "/awareness/lectures/request?lang=ja",
        "/awareness/lectures/request?lang=en",
    ],
)
def test_public_pages_fit_a_phone_carry_the_quick_exit_and_pass_axe(
    browser: Any, app: live.Live, path: str
) -> None:
    if not AXE.exists():
        loud_skip("axe-core missing: npm install --no-save axe-core@4")
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(app.url + path)
        assert page.locator("#quick-exit").count() == 1
        assert (
            page.evaluate(
                "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
            )
            <= 390
        )
        found = violations(page)
        assert found == [], "\n".join(found)
    finally:
        context.close()


def test_the_prompt_works_under_the_pages_real_content_security_policy(browser: Any, app: live.Live) -> None:
    """No bypass here: the script, its dialog and its styles run under the page's own CSP."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{app.url}/awareness/demo?lang=ja")
        page.fill("#demo-text", ABUSIVE)
        page.click("button[type=submit]")
        page.locator(DIALOG).wait_for(state="visible")
        assert page.locator(DIALOG).evaluate("d => getComputedStyle(d).maxWidth") != "none"
        assert blocked == []
    finally:
        context.close()


def test_a_printed_case_leaves_out_the_header_filters_and_buttons(browser: Any, app: live.Live) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{app.url}/awareness/cases/address-exposed?lang=ja")
        page.emulate_media(media="print")
        assert page.locator("header.site").is_hidden()
        assert page.locator("#print-case").is_hidden()
        assert page.locator("h1").is_visible() and "0120-007-110" in page.inner_text("main")
    finally:
        context.close()


def test_another_site_loads_the_script_and_sends_counts_cross_origin(browser: Any, app: live.Live) -> None:
    """A platform on another origin: the script loads from mamori (CORP cross-origin) and the counter
    answers its preflight, so the browser lets the platform's page read the 204."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from tests.conftest import LiveServer

    page_html = (
        '<!doctype html><html lang="en"><title>board</title><form data-mamori-prompt data-mamori-site="board.test">'
        f'<textarea data-mamori-text></textarea><button>Post</button></form><script src="{app.url}/awareness/prompt.js"></script>'
    )
    board = Starlette(routes=[Route("/", lambda _request: HTMLResponse(page_html))])
    with LiveServer(board) as other:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(other.url + "/")
            status = page.evaluate(
                """async (base) => (await fetch(base + "/api/v1/awareness/prompt-events", {method: "POST",
                   mode: "cors", credentials: "omit", headers: {"Content-Type": "application/json"},
                   body: JSON.stringify({kind: "shown", site: "board.test"})})).status""",
                app.url,
            )
            assert status == 204
            loaded = page.evaluate(
                "async (base) => (await fetch(base + '/awareness/prompt.js', {mode: 'cors'})).ok", app.url
            )
            assert loaded
        finally:
            context.close()
