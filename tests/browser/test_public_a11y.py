"""axe-core on the public pages of the removal-request window, in Japanese and English: the request
form (empty and with errors), a filled receipt, the status page, the criteria (a version, the list, the
changes), sign-in, the poster's page and the inquiry answer page. No serious or critical violation.

axe-core comes from npm at the repository root (`npm install --no-save axe-core@4`); without it these
tests are skipped loudly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mamori.core.db import transaction
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.inquiry import service as inquiry
from mamori.notices import service as notices
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from tests.browser import live
from tests.conftest import loud_skip
from tests.support.smtp import MailSink
from tests.workspace import support

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def violations(page: Any) -> list[str]:
    """Serious and critical axe-core violations on the page as loaded."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => `${v.id}: ${v.help} — ${v.nodes.map(n => n.target.join(' ')).slice(0, 3)}`)"
    )
    return list(found)


@dataclass(frozen=True)
class Seeded:
    poster_page: str  # /poster/<case>?key=… for a decided case with a measure
    answer_page: str  # /inquiry/answer/<token> of a sent inquiry


def seed(app: live.Live) -> Seeded:
    """A decided case (the poster's page) and a case under inquiry (the answer page)."""
    settings, at = app.settings, app.clock.now()
    with transaction(app.factory) as db:
        support.published_criteria(db, "2026.2", at=at)  # a second version, so "changes" has two
        decided = support.file(db, settings, at, content_url="https://board.example/t/1")
        support.with_poster(db, settings, decided, at)
        decisions.decide(
            decided,
            decisions.DecisionInput(
                Measure.REMOVE, "2026.2", "2.1", "特定の個人の社会的評価を低下させるため。"
            ),
            db=db,
            settings=settings,
            at=at,
            by=support.SYSTEM,
        )
        key = requests.poster_secret(requests.get_case_row(db, decided), settings)
        asked = support.file(db, settings, at, content_url="https://board.example/t/2")
        support.with_poster(db, settings, asked, at)
        row = inquiry.send_inquiry(
            asked, inquiry.ElectionClaim(), db=db, settings=settings, at=at, by=support.SYSTEM
        )
        notice = db.get(NoticeRow, row.notice_id)
        assert notice is not None
        body = notices.body_of(notice, requests.sealer_for(settings))
    link = re.search(r"/inquiry/answer/\S+", body)
    assert link and key
    return Seeded(f"/poster/{decided}?key={key}", link.group(0))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_public_page_passes_axe(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path, lang: str
) -> None:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core@4)")
    app = live.start(fresh_database_url, mail.url, tmp_path)
    seeded = seed(app)
    with app.server:
        base = app.url
        context = browser.new_context(**PHONE, bypass_csp=True)  # axe is injected as an inline script
        page = context.new_page()
        page.set_default_timeout(8000)
        problems: dict[str, list[str]] = {}

        def check(name: str, url: str | None = None) -> None:
            if url is not None:
                page.goto(f"{base}{url}{'&' if '?' in url else '?'}lang={lang}")
            if found := violations(page):
                problems[name] = found

        check("request form", "/request")
        page.click("button[type=submit]")  # nothing filled: every error shown next to its field
        page.wait_for_selector(".error")
        check("request form with errors")
        page.goto(f"{base}/request?lang={lang}")
        live.fill_request_form(page)
        check("receipt")
        follow = page.get_attribute("#follow-link", "href")
        assert follow
        check("status", follow.removeprefix(base))
        check("status not found", "/status/R-00000000-0000?key=wrong")
        check("criteria in force", "/criteria")
        check("criteria version", "/criteria/2026.1")
        check("criteria changes", "/criteria/changes")
        check("sign in", "/login")
        check("poster page", seeded.poster_page)
        check("inquiry answer", seeded.answer_page)
        context.close()
    assert problems == {}


def test_the_check_itself_finds_a_known_violation(browser: Any) -> None:
    """So that an empty result above means the pages are clean, not that axe did not run."""
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core@4)")
    page = browser.new_page()
    page.set_content('<html lang="ja"><title>t</title><main><img src="x.png"></main></html>')
    assert any(v.startswith("image-alt:") for v in violations(page))
    page.close()
