"""The hotline's desk in Chromium on a 390px phone, in Japanese and English, checked by axe-core: the public
report form (empty and with an error), the receipt, the desk's list, a report with a child's guardian,
the platforms and the figures. A guardian files through the form and the desk assesses in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mamori.core.db import transaction
from mamori.hotline import model, service
from tests.browser import live
from tests.browser.test_public_a11y import AXE, PHONE, violations
from tests.conftest import loud_skip
from tests.hotline import support as hotline_support
from tests.support.smtp import MailSink
from tests.workspace import support

pytestmark = pytest.mark.browser


def seed(app: live.Live) -> None:
    with transaction(app.factory) as db:
        support.staff(db, "desk@hotline.test", ["hotline_staff"], "窓口 担当")
        service.add_platform(
            service.NewPlatform(
                "abroad", "Abroad Social", "letter", contact_email="legal@abroad.example", lang="en"
            ),
            db=db,
            settings=app.settings,
            at=app.clock.now(),
            by=hotline_support.DESK,
        )
        report, _ = service.file_report(
            hotline_support.form(platform="abroad"),
            db=db,
            settings=app.settings,
            at=app.clock.now(),
            by=hotline_support.PUBLIC,
        )
        service.assess(
            report.id,
            model.Assessment(True, True, True, "侮辱"),
            db=db,
            at=app.clock.now(),
            by=hotline_support.DESK,
        )
        notice = service.notify(
            report.id, db=db, settings=app.settings, at=app.clock.now(), by=hotline_support.DESK
        )
        service.record_answer(notice.id, "removed", "", db=db, at=app.clock.now(), by=hotline_support.DESK)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_desk_passes_axe_on_a_phone_and_a_guardian_files_for_a_child(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path, lang: str
) -> None:
    if not AXE.exists():
        loud_skip(f"accessibility tests: no axe-core at {AXE} (run: npm install --no-save axe-core@4)")
    app = live.start(fresh_database_url, mail.url, tmp_path)
    seed(app)
    with app.server:
        base = app.url
        context = browser.new_context(**PHONE, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(8000)
        problems: dict[str, list[str]] = {}

        def check(name: str, url: str | None = None) -> None:
            if url is not None:
                page.goto(f"{base}{url}{'&' if '?' in url else '?'}lang={lang}")
            if found := violations(page):
                problems[name] = found

        check("report form", "/hotline/report")
        url = hotline_support.unique_url()
        page.fill("#content_url", url)
        page.fill("#content_text", "〇〇中学の生徒を名指しで侮辱する投稿")
        page.check("#filer-guardian")
        page.fill("#relation", "母")
        page.check("#child")
        page.fill("#child_age", "14")
        page.fill("#filer_name", "保護者 花子")
        page.fill("#filer_email", "hanako@example.jp")
        page.click("button[type=submit]")
        page.wait_for_selector(".error")  # a 14-year-old's consent is needed
        check("report form with an error")
        page.check("#child_consent")
        page.click("button[type=submit]")
        page.wait_for_selector("#report-number")
        number = page.inner_text("#report-number")
        check("receipt")
        page.goto(f"{base}/login?lang={lang}")
        page.fill("#email", "desk@hotline.test")
        page.fill("#password", support.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/hotline**")
        check("desk", "/hotline")
        page.click(f"#reports a:text-is('{number}')")
        page.wait_for_selector("#reporters")
        assert "12-14" in page.inner_text("#reporters")
        check("report with a guardian")
        page.check("#c-identifiable")
        page.fill("#note", "公共性がある")
        page.click("#assess button[type=submit]")
        page.wait_for_selector("#criteria")
        check("report assessed")
        check("platforms", "/hotline/platforms")
        check("figures", "/hotline/figures")
        context.close()
    assert problems == {}
