"""The e-ネットキャラバン lecture flow end to end in a real browser, on SQLite and PostgreSQL: a school
requests a lecture (with per-field errors first), the coordinator adds an instructor and confirms the
suggested one, both sides get real mails, the instructor reports attendance, the statistics count it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from mamori.core.clock import JST
from mamori.core.db import transaction
from tests.browser import live
from tests.browser.test_public_a11y import AXE, violations
from tests.support.smtp import body_text
from tests.workspace import support

pytestmark = pytest.mark.browser


@pytest.fixture
def app(fresh_database_url: str, mail: Any, tmp_path: Path) -> Iterator[live.Live]:
    running = live.start(fresh_database_url, mail.url, tmp_path)
    with transaction(running.factory) as db:
        support.staff(db, "coord@caravan.test", ["coordinator"], "調整 担当")
    with running.server:
        yield running


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation (skipped checks when axe-core is not installed)."""
    if AXE.exists():
        found = violations(page)
        assert found == [], "\n".join(found)


def sign_in(page: Any, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/awareness/lectures/**")


def test_request_match_mails_report_statistics(browser: Any, app: live.Live, mail: Any) -> None:
    base = app.url
    school = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = school.new_page()
    page.goto(f"{base}/awareness/lectures/request?lang=en")
    page.click("button[type=submit]")  # empty: every field gets its own error
    assert page.locator("#organisation-error").inner_text() == "Enter the school or group."
    assert_accessible(page)
    assert page.locator("#organisation").get_attribute("aria-invalid") == "true"
    assert page.locator("#dates-error").is_visible()
    page.fill("#organisation", "Minato Test Junior High (TEST)")
    page.select_option("#prefecture", "13")
    page.fill("#city", "Minato")
    page.select_option("#audience", "junior_high")
    page.fill("#audience_size", "120")
    page.check("input[name=topics][value=bullying]")
    page.check("input[name=topics][value=defamation]")
    page.fill("#date-0", "2026-05-12")
    page.fill("#date-1", "2026-05-16")
    page.fill("#contact_name", "Hanako Yamada")
    page.fill("#contact_email", "yamada@school.test")
    page.click("button[type=submit]")
    page.wait_for_url("**/awareness/lectures/requested**")
    assert (
        page.evaluate(
            "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
        )
        <= 390
    )
    school.close()

    staff = browser.new_context(bypass_csp=True)
    page = staff.new_page()
    sign_in(page, base, "coord@caravan.test", support.PASSWORD)
    page.goto(f"{base}/awareness/lectures/instructors?lang=en")
    page.fill("#name", "Ichiro Kōshi")
    page.fill("#email", "koshi@instructor.test")
    page.fill("#password", "a long first password")
    page.select_option("#prefecture", "13")
    page.check("input[name=topics][value=bullying]")
    for day in ("0", "1", "2", "3", "4"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.click("form[action^='/awareness/lectures/instructors'] button[type=submit]")
    page.wait_for_url("**created=1**")
    page.goto(f"{base}/awareness/lectures/requests?lang=en")
    page.click("text=Minato Test Junior High (TEST)")
    assert "Ichiro Kōshi" in page.locator("#suggestions").inner_text()
    assert_accessible(page)
    page.select_option("#lecture_date", "2026-05-12")
    page.click("text=Confirm and send the mails")
    page.wait_for_url("**matched=1**")
    assert page.locator("#lecture-date").inner_text() == "2026-05-12"
    staff.close()

    app.deliver()
    mails = mail.wait_for(3)
    to_school = [m for m in mails if m["To"] == "yamada@school.test"]
    to_instructor = [m for m in mails if m["To"] == "koshi@instructor.test"]
    assert len(to_school) == 2 and len(to_instructor) == 1
    assert "2026-05-12" in body_text(to_instructor[0]) and "yamada@school.test" in body_text(to_instructor[0])

    import datetime as dt

    app.clock.set(dt.datetime(2026, 5, 12, 18, 0, tzinfo=JST))  # after the lecture
    teacher = browser.new_context()
    page = teacher.new_page()
    sign_in(page, base, "koshi@instructor.test", "a long first password")
    page.goto(f"{base}/awareness/lectures/mine?lang=en")
    page.click("text=Minato Test Junior High (TEST)")
    page.fill("#attendance", "0")
    page.click("text=Save the report")
    expect(page.locator("#attendance-error")).to_be_visible()
    expect(page.locator("#report-error")).to_be_visible()
    page.fill("#attendance", "118")
    page.fill("#report", "Many questions about group chats.")
    page.click("text=Save the report")
    page.wait_for_url("**reported=1**")
    teacher.close()

    staff = browser.new_context(bypass_csp=True)
    page = staff.new_page()
    sign_in(page, base, "coord@caravan.test", support.PASSWORD)
    page.goto(f"{base}/awareness/lectures/statistics?lang=en")
    assert page.locator("#total-lectures").inner_text() == "1"
    assert page.locator("#total-people").inner_text() == "118"
    assert_accessible(page)
    assert "Tokyo" in page.inner_text("main") and "Online bullying" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=Download CSV")
    csv_text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "prefecture,13,Tokyo,1,118" in csv_text
    chart = page.request.get(f"{base}/awareness/lectures/statistics/topic.png")
    assert chart.ok and chart.body()[:4] == b"\x89PNG"
    staff.close()
