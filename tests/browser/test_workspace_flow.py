"""The whole path in a real Chromium: request → claim → inquiry → objection → decision → status →
appeal → a second specialist rules; every mail arrives in the test SMTP server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser import live
from tests.support.smtp import MailSink


def link_in(mail: Any, pattern: str) -> str:
    body = mail.get_body(preferencelist=("plain",)).get_content()
    found = re.search(pattern, body)
    assert found, body
    return found.group(0)


def test_request_inquiry_decision_and_appeal(
    browser: Any, fresh_database_url: str, mail: MailSink, tmp_path: Path
) -> None:
    app = live.start(fresh_database_url, mail.url, tmp_path)
    with app.server:
        base = app.url
        requester = browser.new_context(
            viewport={"width": 390, "height": 844}, java_script_enabled=False, locale="ja-JP"
        )
        page = requester.new_page()
        page.set_default_timeout(8000)
        page.goto(f"{base}/request")
        live.fill_request_form(page)
        receipt_number = page.inner_text("#receipt-number")
        assert receipt_number.startswith("R-20260401-")
        assert "2026年4月1日 22:30:00" in page.inner_text("#received-at")
        assert "2026年4月8日" in page.inner_text("#due-at")
        follow = page.get_attribute("#follow-link", "href")
        page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)
        app.deliver()
        assert mail.to("jiro@example.jp")

        first = browser.new_context(locale="ja-JP").new_page()
        first.set_default_timeout(8000)
        live.sign_in(first, base, "first@staff.test")
        assert receipt_number in first.content(), first.content()
        first.click(f"text={receipt_number}")
        first.click("#claim")
        expect(first.locator("#p-account")).to_have_count(1)
        first.fill("#p-account", "acct-77")
        first.fill("#p-email", "poster@example.org")
        first.click("form[action*='/poster'] button")
        first.click("#send-inquiry")
        # a click that navigates returns once the new page starts loading: wait for what it shows
        expect(first.locator("#timeline li[data-kind=inquiry_sent]")).to_have_count(1)
        assert "発信者への照会を送付" in first.inner_text("#timeline")  # labels, not event codes
        assert "inquiry_sent" not in first.inner_text("#timeline")
        app.deliver()
        inquiry_mail = mail.to("poster@example.org")[0]
        answer_url = link_in(inquiry_mail, r"http://127\.0\.0\.1:\d+/inquiry/answer/\S+")
        shown = inquiry_mail.get_body(preferencelist=("plain",)).get_content()
        assert "Requester:" not in shown and "jiro@example.jp" not in shown  # the requester said no

        poster = browser.new_context(java_script_enabled=False, locale="ja-JP").new_page()
        poster.goto(answer_url)
        poster.check("input[name=choice][value=object]")
        poster.fill("#reason", "事実に基づく論評であり、公益目的です。")
        poster.click("#send-answer")
        expect(poster.locator("#answer-recorded")).to_be_visible()
        poster.goto(answer_url)
        assert "無効" in poster.inner_text("h1")  # single use

        first.reload()
        assert "事実に基づく論評" in first.inner_text("#poster-answer")
        first.select_option("#measure", "remove")
        first.select_option("#clause", "2.1")
        first.fill("#reason", "前科や詐欺の事実を示す根拠がなく、特定の個人の社会的評価を低下させるため。")
        # the poster objected: a removal now rests on Art. 3(2)(i), which the form asks for
        first.click("#preview")
        assert "3条2項1号" in first.inner_text("#action-error")
        first.fill(
            "#liability_ground",
            "申出者が提出した資料から摘示事実が虚偽であると信じるに足りる相当の理由がある。",
        )
        first.click("#preview")
        expect(first.locator("section.preview")).to_have_count(2)
        previews = first.inner_text("main")
        assert "申出者" in previews or "requester" in previews.lower()
        first.click("#send-decision")
        expect(first.locator("#timeline li[data-kind=decided]")).to_have_count(1)
        app.deliver()

        page.goto(follow)
        assert "判断済み" in page.inner_text("#stage")
        measure_mail = next(
            m
            for m in mail.to("poster@example.org")
            if "X-Mamori-Notice" in m and "poster_measure" in m["X-Mamori-Notice"]
        )
        appeal_url = link_in(measure_mail, r"http://127\.0\.0\.1:\d+/poster/\S+")

        poster.goto(appeal_url)
        poster.fill("#reasons", "削除には同意できません。投稿は事実に基づく論評です。")
        poster.click("#send-appeal")
        expect(poster.locator("#appeal-state")).to_be_visible()

        # the specialist who decided may not rule on the appeal
        first.goto(f"{base}/workspace")
        first.click(f"text={receipt_number}")
        first.click("#claim")
        first.select_option("#measure", "no_action")
        first.select_option("#clause", "")
        first.fill("#reason", "異議の理由を検討し、論評の範囲内と判断しました。")
        first.click("#preview")  # refused already at the preview: the service rules, not the page
        expect(first.locator("#action-error")).to_contain_text("別の専門員")
        assert first.locator("#send-decision").count() == 0
        first.click("form[action*='/release'] button")

        second = browser.new_context(locale="ja-JP").new_page()
        live.sign_in(second, base, "second@staff.test")
        second.click(f"text={receipt_number}")
        second.click("#claim")
        second.select_option("#measure", "no_action")
        second.select_option("#clause", "")
        second.fill("#reason", "異議の理由を検討し、公益目的の論評の範囲内と判断しました。")
        second.click("#preview")
        second.click("#send-decision")
        expect(second.locator("#timeline li[data-kind=appeal_ruled]")).to_have_count(1)
        app.deliver()

        page.goto(follow)
        assert page.locator("ol.notices li").count() >= 4  # receipt, interim, decision, appeal outcome
        assert "(日本時間)" in page.inner_text("ol.notices li >> nth=0")  # sent times in JST
        kinds_to_requester = [m["X-Mamori-Notice"].split(";")[0] for m in mail.to("jiro@example.jp")]
        kinds_to_poster = [m["X-Mamori-Notice"].split(";")[0] for m in mail.to("poster@example.org")]
        assert kinds_to_requester == [
            "receipt",
            "requester_interim",
            "requester_decision",
            "requester_decision",
        ]
        assert kinds_to_poster == ["sender_inquiry", "poster_measure", "appeal_outcome_poster"]
