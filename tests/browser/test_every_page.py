"""Every page, as each kind of person reaches it, in a real Chromium (issue 11, "Checks").

The DEMO data is loaded into a PostgreSQL database of its own (the production database) and served live. A visitor without an account and
each demo staff account start where they land and follow the links of the pages they see (one page per
address pattern: one case page stands for all). Each page is checked at 390 px (a phone) and at 1366 px
(a desk): no page wider than the screen, no serious or critical axe-core violation, and on every page a
harmed person may read, the quick exit present and in view after scrolling to the bottom. Public pages
are checked in Japanese, English and やさしい日本語, staff pages in Japanese and English (the first language
at both widths, the others at 390 px, where a page overflows). A screenshot of each page is saved under
`test-screenshots/` (git-ignored) so that a person can look at them.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from mamori.core.config import Settings
from mamori.demo import DEMO_PASSWORD, DEMO_STAFF, load_demo
from mamori.web.app import create_app
from mamori.web.templating import has_quick_exit
from tests.browser.test_public_a11y import AXE, violations
from tests.conftest import LiveServer, loud_skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"
WIDTHS = (390, 1366)
# Accounts the capabilities' DEMO data adds (trusted body, hotline desk, lecture coordinator, instructor).
MORE_DEMO_ACCOUNTS = (
    ("moj@demo.example.com", "", ["trusted_notifier"]),
    ("hotline@demo.example.com", "", ["hotline_staff"]),
    ("coordinator@demo.example.com", "", ["coordinator"]),
    ("instructor@demo.example.com", "", ["instructor"]),
)
MAX_PAGES = 80  # per person: far more address patterns than any role has today
# Not pages: downloads, images, feeds, the API, signing out (it would end the crawl), forms' targets.
NOT_A_PAGE = re.compile(
    r"^/(api|static|logout)(/|$)|\.(png|jpe?g|csv|json|jsonl|pdf|zip|js|eml|wacz|txt|tsr|svg)$"
    r"|/(files|download|downloads|export|thumbnail|chart|charts|schema)(/|$)|/(prompt\.js)$"
)
# Addresses of the same page differing only by an id, a number or a key.
ID_LIKE = re.compile(r"[0-9a-f]{12,}|\d{4}-\d+|\d+|[A-Za-z0-9_-]{24,}")


def pattern(path: str) -> str:
    return ID_LIKE.sub("*", path)


def slug(path: str, query: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", f"{path}-{query}").strip("-") or "home"
    return name[:120]


def links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base + "/", href)
        if url.startswith(base) and not NOT_A_PAGE.search(urlsplit(url).path):
            out.append(url)
    return out


def without_lang(url: str) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in parts.query.split("&") if q and not q.startswith("lang="))
    return parts.path + ("?" + query if query else "")


def check(page: Any, url: str, who: str, width: int, lang: str, problems: list[str]) -> Any:
    print(f"every-page: {who} {width} {url}", flush=True)  # where it was, if a page hangs
    answer = page.goto(url)
    where = f"{who} {width}px {lang} {without_lang(url)}"
    status = answer.status if answer else 0
    if status >= 500:
        problems.append(f"{where}: HTTP {status}")
        return answer
    scroll = page.evaluate(
        "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
    )
    if scroll > width:
        wide = page.evaluate(
            """(w) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1)
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))""",
            width,
        )
        problems.append(f"{where}: {scroll} px wide on a {width} px screen ({', '.join(wide)})")
    if has_quick_exit(urlsplit(url).path):
        exit_link = page.locator("#quick-exit")
        if exit_link.count() == 0:
            problems.append(f"{where}: no quick exit")
        else:
            page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            box = exit_link.bounding_box()
            height = page.evaluate("window.innerHeight")
            if not box or box["y"] < 0 or box["y"] + box["height"] > height:
                problems.append(f"{where}: the quick exit is out of sight after scrolling")
            page.evaluate("window.scrollTo(0, 0)")
    folder = SHOTS / who / f"{width}-{lang}"
    folder.mkdir(parents=True, exist_ok=True)
    parts = urlsplit(url)
    shot = folder / f"{slug(parts.path, without_lang(url).partition('?')[2])}.png"
    try:
        page.screenshot(path=str(shot), full_page=True)
    except PlaywrightError:  # Chromium cannot capture a very tall page whole: the first screen then
        page.screenshot(path=str(shot))
    if width == WIDTHS[0]:
        problems.extend(f"{where}: {v}" for v in violations(page))
    return answer


def crawl(context: Any, base: str, start: str, who: str, langs: tuple[str, ...], problems: list[str]) -> int:
    """Visit one page per address pattern reachable from `start`; returns how many were checked."""
    page = context.new_page()
    page.set_default_timeout(15000)
    seen: set[str] = set()
    queue: deque[str] = deque([start])
    checked = 0
    while queue and checked < MAX_PAGES:
        url = queue.popleft()
        key = pattern(urlsplit(url).path)
        if key in seen:
            continue
        seen.add(key)
        checked += 1
        found: list[str] = []
        plain = base + without_lang(url)  # the link's own lang= is replaced by each language in turn
        for lang in langs:
            sep = "&" if urlsplit(plain).query else "?"
            target = f"{plain}{sep}{urlencode({'lang': lang})}"
            # Both widths in the first language; the others at the phone's width (where a page overflows)
            for width in WIDTHS if lang == langs[0] else WIDTHS[:1]:
                page.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                answer = check(page, target, who, width, lang, problems)
                if answer is not None and answer.status < 400 and lang == langs[0] and width == WIDTHS[-1]:
                    found = links(page, base)
        queue.extend(u for u in found if pattern(urlsplit(u).path) not in seen)
    page.close()
    return checked


def sign_in(context: Any, base: str, email: str) -> str:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    landed = page.url
    page.close()
    return landed


def test_every_page_fits_a_phone_and_a_desk_is_accessible_and_keeps_the_quick_exit(
    browser: Any, postgres_database_url: str, tmp_path: Path
) -> None:
    if not AXE.is_file():
        loud_skip("every-page check: axe-core is not installed (npm install --no-save axe-core@4)")
    settings = Settings(
        database_url=postgres_database_url,
        smtp_url=f"file:{tmp_path / 'mail'}",
        env="test",
        data_dir=tmp_path / "data",
    )
    load_demo(settings)
    server = LiveServer(create_app(settings))
    problems: list[str] = []
    visited: dict[str, int] = {}
    with server:
        base = server.url
        context = browser.new_context(locale="ja-JP", bypass_csp=True)
        for start in (
            "/",
            "/request",
            "/consult",
            "/evidence/kit",
            "/drafting",
            "/criteria",
            "/no-such-page",
        ):
            visited[f"public {start}"] = crawl(
                context, base, f"{base}{start}", "public", ("ja", "en", "ja-easy"), problems
            )
        context.close()
        for email, _name, roles in [*DEMO_STAFF, *MORE_DEMO_ACCOUNTS]:
            context = browser.new_context(locale="ja-JP", bypass_csp=True)
            landed = sign_in(context, base, email)
            assert "/login" not in landed, f"{email} could not sign in"
            visited[roles[0]] = crawl(context, base, landed, roles[0], ("ja", "en"), problems)
            context.close()
    assert all(n > 0 for n in visited.values()), visited
    assert visited["specialist"] >= 3 and visited["public /"] >= 5, visited
    assert problems == [], f"{len(problems)} problems on pages:\n" + "\n".join(problems)
