"""The server loads the page in headless Chromium and keeps every response as it arrived.

Chromium itself reaches nothing: it resolves no host name (MAP * ~NOTFOUND), and every request it
makes is intercepted (`context.route`), checked by netguard, fetched by `fetcher` from the checked
address, recorded, then handed back to the page. So redirects and sub-requests are checked one by
one, and time, size and the number of requests are bounded per capture.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from mamori.core.clock import Clock
from mamori.core.errors import DomainError
from mamori.evidence import netguard
from mamori.evidence.fetcher import HOP_BY_HOP, CaptureFailed, Exchange, FetchLimit, fetch
from mamori.evidence.profile import EXTRACT_JS
from mamori.evidence.settings import EvidenceSettings

# tests/conftest.py keeps its own shorter list for the test browser: that one loads mamori's own pages,
# this one must reach nothing but what `route` fulfils.
# Chromium's own network goes to a dead proxy (loopback included): only what `route` fulfils arrives.
DEAD_PROXY = "--proxy-server=socks5://127.0.0.1:9"
NO_PROXY_BYPASS = "--proxy-bypass-list=<-loopback>"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--dns-prefetch-disable",
    DEAD_PROXY,
    NO_PROXY_BYPASS,
]
VIEWPORT = {"width": 1280, "height": 900}
SETTLE_MS = 1500  # after "load", let late requests finish, within the capture's time limit


@dataclass
class CaptureResult:
    """What one capture saw: every exchange, what was refused, the page as rendered and its screenshot."""

    url: str
    final_url: str
    started_at: dt.datetime
    finished_at: dt.datetime
    http_status: int | None
    title: str
    html: str
    screenshot_png: bytes
    facts: dict[str, Any]
    exchanges: list[Exchange]
    refused: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    browser_version: str = ""
    used_login_profile: bool = False

    @property
    def main_exchange(self) -> Exchange | None:
        return next((e for e in reversed(self.exchanges) if e.url == self.final_url), None)


class _Recorder:
    """The route handler: every request of the page passes here."""

    def __init__(self, settings: EvidenceSettings, clock: Clock, deadline: float) -> None:
        self.settings = settings
        self.clock = clock
        self.deadline = deadline
        self.exchanges: list[Exchange] = []
        self.refused: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.total_bytes = 0
        self.navigation_redirect: str | None = None

    def _fetch(self, url: str, request: Any) -> Exchange:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise FetchLimit(url, "時間内に取得できません", "capture time limit reached")
        if len(self.exchanges) >= self.settings.max_requests:
            raise FetchLimit(
                url, "リクエストが多すぎます", f"more than {self.settings.max_requests} requests"
            )
        target = netguard.check_url(url, allow_private=self.settings.allow_private_fetch)
        budget = self.settings.max_capture_bytes - self.total_bytes
        exchange = fetch(
            target,
            method=request.method,
            headers=dict(request.headers),
            body=request.post_data_buffer or b"",
            timeout_s=remaining,
            max_bytes=min(self.settings.max_response_bytes, max(budget, 0)),
            now=self.clock.now(),
        )
        self.total_bytes += len(exchange.raw_body)
        self.exchanges.append(exchange)
        return exchange

    def _refuse(self, route: Any, url: str, why: str) -> None:
        self.refused.append({"url": url[:2000], "reason": why})
        route.abort("blockedbyclient")

    def __call__(self, route: Any) -> None:
        request = route.request
        url = request.url
        if url.startswith(("data:", "blob:", "about:")):
            route.continue_()
            return
        try:
            exchange = self._fetch(url, request)
            # Redirects are followed here, never by Chromium (it would fetch the target unchecked).
            hops = 0
            while exchange.status in REDIRECTS and exchange.header("location"):
                location = urljoin(exchange.url, exchange.header("location") or "")
                if request.is_navigation_request() and request.frame.parent_frame is None:
                    self.navigation_redirect = location  # capture_page navigates there, checked again
                    route.abort("aborted")
                    return
                hops += 1
                if hops > MAX_REDIRECTS:
                    raise FetchLimit(url, "リダイレクトが多すぎます", f"more than {MAX_REDIRECTS} redirects")
                exchange = self._fetch(location, request)
        except DomainError as exc:
            self._refuse(route, url, exc.en)
            return
        headers = {
            k: v
            for k, v in exchange.response_headers
            if k.lower() not in HOP_BY_HOP | {"content-encoding", "content-length"}
        }
        route.fulfill(status=exchange.status, headers=headers, body=exchange.body)


def _raise_for_main(url: str, recorder: _Recorder, exc: Exception) -> None:
    """The page itself could not be loaded: say why in the user's terms."""
    refusal = next((r for r in recorder.refused if r["url"] == url), None)
    if refusal is None:
        raise CaptureFailed(url, "ページを読み込めません", str(exc).splitlines()[0]) from None
    reason = refusal["reason"]
    if "larger than" in reason:
        raise FetchLimit(url, "ページが大きすぎます", reason) from None
    if "time limit" in reason or "requests" in reason or "redirects" in reason:
        raise FetchLimit(url, "取得の上限を超えました", reason) from None
    raise netguard.AddressRefused(url, "取得を拒否しました", reason) from None


def capture_page(url: str, *, settings: EvidenceSettings, clock: Clock) -> CaptureResult:
    """Capture `url` as the server sees it. Raises AddressRefused, FetchLimit or CaptureFailed."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _capture_page(url, settings=settings, clock=clock)
    # Playwright's sync API refuses a thread with a running event loop (an async caller, or another
    # sync Playwright alive in this thread): capture from a thread of its own.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mamori-capture") as pool:
        return pool.submit(_capture_page, url, settings=settings, clock=clock).result()


def _capture_page(url: str, *, settings: EvidenceSettings, clock: Clock) -> CaptureResult:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    netguard.check_url(url, allow_private=settings.allow_private_fetch)  # fail fast, before a browser starts
    if not settings.chromium.exists():
        raise CaptureFailed(url, "Chromium がありません", f"no Chromium at {settings.chromium}")
    started_at = clock.now()
    deadline = time.monotonic() + settings.capture_timeout_s
    recorder = _Recorder(settings, clock, deadline)
    context_options: dict[str, Any] = {
        "viewport": VIEWPORT,
        "locale": "ja-JP",
        "timezone_id": "Asia/Tokyo",
        "service_workers": "block",
        "accept_downloads": False,
    }
    with sync_playwright() as pw:
        launch: dict[str, Any] = {
            "executable_path": str(settings.chromium),
            "args": CHROMIUM_ARGS,
            "headless": True,
        }
        if settings.login_profile_dir is not None:
            # the consultation centre's own logged-in profile, never a person's own browser
            settings.login_profile_dir.mkdir(parents=True, exist_ok=True)
            context = pw.chromium.launch_persistent_context(
                str(settings.login_profile_dir), **launch, **context_options
            )
            browser_version = context.browser.version if context.browser else ""
        else:
            browser = pw.chromium.launch(**launch)
            browser_version = browser.version
            context = browser.new_context(**context_options)
        try:
            context.route("**/*", recorder)
            context.route_web_socket("**/*", lambda ws: ws.close())
            page = context.pages[0] if context.pages else context.new_page()
            target_url = url
            for _hop in range(MAX_REDIRECTS + 1):
                recorder.navigation_redirect = None
                remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000)
                try:
                    page.goto(target_url, wait_until="load", timeout=remaining_ms)
                except PlaywrightTimeout:
                    recorder.notes.append("the page did not finish loading within the capture time limit")
                except PlaywrightError as exc:
                    if recorder.navigation_redirect is None:
                        _raise_for_main(target_url, recorder, exc)
                if recorder.navigation_redirect is None:
                    break
                target_url = recorder.navigation_redirect
            else:
                raise FetchLimit(url, "リダイレクトが多すぎます", f"more than {MAX_REDIRECTS} redirects")
            if not recorder.exchanges:
                raise FetchLimit(url, "時間内に取得できません", "no response within the capture time limit")
            settle = min(SETTLE_MS, (deadline - time.monotonic()) * 1000)
            if settle > 0:
                try:
                    page.wait_for_load_state("networkidle", timeout=settle)
                except PlaywrightTimeout:
                    recorder.notes.append("requests were still running when the page was recorded")
            final_url = page.url
            facts = page.evaluate(EXTRACT_JS)
            html = page.content()
            screenshot = page.screenshot(full_page=True, type="png", timeout=30_000)
        finally:
            context.close()
    main = next((e for e in reversed(recorder.exchanges) if e.url == final_url), None)
    return CaptureResult(
        url=url,
        final_url=final_url,
        started_at=started_at,
        finished_at=clock.now(),
        http_status=main.status if main else None,
        title=str(facts.get("title") or ""),
        html=html,
        screenshot_png=screenshot,
        facts=facts,
        exchanges=recorder.exchanges,
        refused=recorder.refused,
        notes=recorder.notes,
        browser_version=browser_version,
        used_login_profile=settings.login_profile_dir is not None,
    )
