"""The council's dashboard in Chromium on a 390px phone, ja and en, checked by axe-core, with two members'
files merged and a malformed upload refused with its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.core.db import transaction
from mamori.council import service
from tests.browser import live
from tests.browser.test_public_a11y import AXE, PHONE, violations
from tests.conftest import loud_skip
from tests.council.test_merge import HEADER, HOTLINE_FILE, ROW, SECRETARIAT
from tests.support.smtp import MailSink
from tests.workspace import support

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_council_view_passes_axe_on_a_phone(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path, lang: str
) -> None:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core@4)")
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(app.factory) as db:
        support.staff(db, "secretariat@council.test", ["supervisor"], "連絡会 事務局")
        for name, text in (
            ("h.csv", HOTLINE_FILE),
            ("c.csv", HOTLINE_FILE.replace("誹謗中傷ホットライン", "相談センター")),
        ):
            service.import_file(text.encode(), name, db=db, threshold=5, at=app.clock.now(), by=SECRETARIAT)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n{ROW}month,2024-05,2\n", encoding="utf-8")
    with app.server:
        base = app.url
        context = browser.new_context(**PHONE, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(8000)
        page.goto(f"{base}/login?lang={lang}")
        page.fill("#email", "secretariat@council.test")
        page.fill("#password", support.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        problems: dict[str, list[str]] = {}
        page.goto(f"{base}/council?year=2024&lang={lang}")
        assert page.inner_text("#merged-month tbody td.n") == "14"
        if found := violations(page):
            problems["dashboard"] = found
        page.set_input_files("#file", str(bad))
        page.click("#h-import ~ form button[type=submit]")
        page.wait_for_selector("#import-error")
        assert "bad.csv:2:" in page.inner_text("#import-error")
        if found := violations(page):
            problems["refused upload"] = found
        context.close()
    assert problems == {}
