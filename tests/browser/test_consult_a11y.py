"""axe-core on every consultation page (public and staff): no serious or critical violation.

axe-core comes from npm at the repository root (`npm install --no-save axe-core`); without it these
tests are skipped loudly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mamori.consult.catalogue import consult_map
from mamori.consult.model import all_paths
from mamori.core.audit import Actor
from mamori.core.auth import create_user, start_session
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from tests.conftest import LiveServer, loud_skip

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _public_paths() -> list[str]:
    cmap = consult_map()
    urls = ["/consult", "/consult/guides", "/consult/what-happened", "/consult/q"]
    seen = set()
    for path, _leaf in all_paths(cmap.tree):
        for n in range(len(path) + 1):
            seen.add(",".join(path[:n]))
    urls += [f"/consult/q?a={a}" for a in sorted(seen) if a]
    urls += [f"/consult/guides/{s}" for s in cmap.services]
    urls += [f"/consult/bodies/{b}" for b in cmap.bodies]
    return urls


def _violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`)"
    )
    return list(found)


@pytest.fixture(scope="module")
def axe_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core)")
    from mamori.web.app import create_app

    folder = tmp_path_factory.mktemp("axe")
    settings = Settings(database_url=f"sqlite:///{folder / 'unused.db'}", env="test", data_dir=folder)
    with LiveServer(create_app(settings)) as server:
        yield server


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_every_public_consultation_page_passes_axe(browser: Any, axe_server: LiveServer, lang: str) -> None:
    # bypass_csp: the pages' Content-Security-Policy (rightly) refuses the injected axe script.
    context = browser.new_context(**PHONE, bypass_csp=True)
    page = context.new_page()
    problems = {}
    for url in _public_paths():
        sep = "&" if "?" in url else "?"
        page.goto(f"{axe_server.url}{url}{sep}lang={lang}")
        found = _violations(page)
        if found:
            problems[url] = found
    page.goto(f"{axe_server.url}/consult/what-happened?lang={lang}")
    page.locator("#text").fill("こいつは最低の人間だ")
    page.locator("form button[type=submit]").click()
    page.wait_for_selector("#pasted")
    if found := _violations(page):
        problems["POST /consult/what-happened"] = found
    context.close()
    assert problems == {}


def test_every_staff_consultation_page_passes_axe(
    browser: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core)")
    from mamori.web.app import create_app

    clock = FixedClock(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC))
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as db:
        user = create_user(
            "s@example.jp",
            "監督者",
            ["supervisor"],
            "correct horse battery",
            db=db,
            at=clock.now(),
            by=Actor.system(),
        )
        token, _ = start_session(user, db=db, at=clock.now())
    settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path)
    with LiveServer(create_app(settings, clock=clock)) as server:
        context = browser.new_context(viewport={"width": 1024, "height": 900}, bypass_csp=True)
        context.add_cookies([{"name": "mamori_session", "value": token, "url": server.url}])
        page = context.new_page()
        problems = {}
        page.goto(f"{server.url}/consult/records/new")
        problems["new"] = _violations(page)
        page.locator("#cat-insult").check()
        page.locator("#summary").fill("中傷の相談")
        page.locator("form button[type=submit]").click()
        page.wait_for_selector("#outcome")
        problems["record"] = _violations(page)
        for url in ("/consult/records", "/consult/dashboard"):
            page.goto(f"{server.url}{url}")
            problems[url] = _violations(page)
        context.close()
    assert {k: v for k, v in problems.items() if v} == {}
