"""In a real Chromium, the Content-Security-Policy breaks nothing: no violation on the public pages, the
staff case page's script still fills the reason from the clause, and the standalone evidence report
keeps its style."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.core import auth
from mamori.core.db import transaction
from tests.browser import live
from tests.support.smtp import MailSink
from tests.workspace import support

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def test_pages_keep_working_under_the_policy(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(app.factory) as db:
        case_id = support.file(db, app.settings, app.clock.now())
        reader = support.staff(db, "reader@staff.test", ["specialist"])
        token = auth.create_api_token(reader, db=db, at=app.clock.now())
    with app.server:
        base = app.url
        context = browser.new_context()
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        page.set_default_timeout(8000)
        for path in ("/", "/request", "/consult", "/login", "/criteria", "/request?lang=en"):
            answer = page.goto(f"{base}{path}")
            assert answer is not None and answer.headers["content-security-policy"]
            assert violations(page) == [], path
        assert page.evaluate("getComputedStyle(document.body).fontFamily")  # the stylesheet loaded

        live.sign_in(page, base, "first@staff.test")
        page.goto(f"{base}/workspace/cases/{case_id}")
        page.select_option("#clause", "2.1")
        filled = page.input_value("#reason")  # by the page's inline script, in the page's language
        assert "社会的評価を低下させる" in filled or "lowers an identifiable person" in filled
        assert violations(page) == []

        report = browser.new_context(extra_http_headers={"Authorization": f"Bearer {token}"})
        report.add_init_script(WATCH_VIOLATIONS)
        sheet = report.new_page()
        answer = sheet.goto(f"{base}/api/v1/evidence/report?owner_type=case&owner_id={case_id}&format=html")
        assert answer is not None and answer.status == 200, answer.text() if answer else ""
        assert sheet.evaluate("getComputedStyle(document.querySelector('body')).marginTop") != "8px"
        assert violations(sheet) == []
