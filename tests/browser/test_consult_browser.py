"""A person completes the guided consultation on a phone in Japanese and in English; a counsellor
records a consultation and a referral and sees it counted. Headless Chromium, 390×844."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.auth import create_user, start_session
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.web import templating
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def public_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """The app on a live port; the public pages need no database. Quick exit goes to a local page."""
    from mamori.web.app import create_app

    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", env="test", data_dir=tmp_path)
    with LiveServer(create_app(settings)) as server:
        monkeypatch.setattr(
            templating,
            "EXIT_URL",
            {"ja": f"{server.url}/static/mamori.css", "en": f"{server.url}/static/mamori.css"},
        )
        yield server


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(**PHONE, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


def _no_sideways_scroll(page: Any) -> None:
    page.wait_for_load_state()  # after a click that navigates: the new page, loaded
    assert (
        page.evaluate(
            "async () => { await document.fonts.ready; return document.documentElement.scrollWidth; }"
        )
        <= 390
    )


def test_a_person_completes_the_consultation_in_japanese(public_server: LiveServer, phone: Any) -> None:
    phone.goto(f"{public_server.url}/consult?lang=ja")
    assert "誹謗" not in phone.title() and "相談" not in phone.title()
    phone.get_by_role("link", name="はじめる").click()
    for answer in (
        "いいえ",
        "いいえ",
        "解決方法を相談したい",
        "どうすればいいか分からない・投稿を削除したい",
    ):
        _no_sideways_scroll(phone)
        phone.get_by_role("link", name=answer, exact=True).click()
    phone.get_by_role("link", name="自分ではできない・代わりに依頼してほしい").click()
    assert phone.locator("h1").inner_text() == "どこに依頼したいですか？"
    phone.get_by_role("link", name="← 戻る").click()
    assert phone.locator("h1").inner_text() == "削除の依頼は自分でできますか？"
    phone.get_by_role("link", name="自分ではできない・代わりに依頼してほしい").click()
    phone.get_by_role("link", name="民間の団体").click()
    assert phone.locator("h1").inner_text() == "相談できる窓口"
    assert phone.get_by_role(
        "heading", name="誹謗中傷ホットライン（一般社団法人セーファーインターネット協会）"
    ).is_visible()
    assert phone.get_by_role("heading", name="まもろうよ こころ（厚生労働省）").is_visible()
    _no_sideways_scroll(phone)
    history = phone.evaluate("history.length")
    phone.get_by_role("link", name="すぐに離れる").click()
    phone.wait_for_url("**/static/mamori.css")
    assert phone.evaluate("history.length") == history, "the quick exit replaces the page, it adds no entry"


def test_a_person_completes_the_consultation_in_english(public_server: LiveServer, phone: Any) -> None:
    phone.goto(f"{public_server.url}/consult?lang=en")
    phone.get_by_role("link", name="Start").click()
    phone.get_by_role("link", name="No", exact=True).click()
    phone.get_by_role("link", name="Yes", exact=True).click()  # under 18
    phone.get_by_role("link", name="I want to talk about a solution").click()
    phone.get_by_role("link", name="I want compensation from the poster").click()
    assert phone.locator("h1").inner_text() == "Where to get help"
    assert phone.get_by_role(
        "heading", name="A lawyer, or Houterasu (Japan Legal Support Center)"
    ).is_visible()
    assert phone.get_by_role("heading", name="A trusted adult").is_visible()
    assert (
        phone.get_by_role("link", name="Houterasu support line: 0570-078374").get_attribute("href")
        == "tel:0570078374"
    )
    _no_sideways_scroll(phone)


def test_escape_key_leaves_at_once(public_server: LiveServer, phone: Any) -> None:
    phone.goto(f"{public_server.url}/consult/guides/x?lang=en")
    phone.keyboard.press("Escape")
    phone.wait_for_url("**/static/mamori.css")


def test_pasted_text_stays_blurred_until_the_person_chooses_to_see_it(
    public_server: LiveServer, phone: Any
) -> None:
    phone.goto(f"{public_server.url}/consult/what-happened?lang=ja")
    phone.get_by_label("投稿を貼り付けるか").fill("おまえは詐欺師だ。消えろ。")
    phone.get_by_role("button", name="確認する").click()
    pasted = phone.locator("#pasted")
    assert "blur" in pasted.evaluate("el => getComputedStyle(el).filter")
    phone.get_by_text("文章を表示する").click()
    assert pasted.evaluate("el => getComputedStyle(el).filter") == "none"
    assert phone.get_by_role("heading", name="侵害されている可能性のある権利").is_visible()


def test_a_counsellor_records_a_consultation_and_a_referral_and_sees_it_counted(
    browser: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    from mamori.web.app import create_app

    clock = FixedClock(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC))
    factory = make_sessionmaker(make_engine(fresh_database_url))
    with transaction(factory) as db:
        token = _counsellor_session(db, clock.now())
    settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path)
    with LiveServer(create_app(settings, clock=clock)) as server:
        context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="ja-JP")
        context.add_cookies([{"name": "mamori_session", "value": token, "url": server.url}])
        page = context.new_page()
        page.goto(f"{server.url}/consult/records/new")
        page.get_by_label("名誉毀損").check()
        page.get_by_label("関係するサービス").select_option("x")
        page.get_by_label("相談内容").fill("Xで実名を挙げて「犯罪者」と書かれた。")
        page.get_by_label("助言した内容").fill("証拠保存の方法と削除依頼の流れを案内した。")
        page.get_by_role("button", name="記録する").click()
        expect(page.locator("main")).to_contain_text("Xで実名を挙げて")
        page.get_by_label("紹介先").select_option("moj-jinken")
        page.get_by_label("相談者はこの紹介に同意した").check()
        page.get_by_role("button", name="紹介する").click()
        expect(page.locator("#referral")).to_contain_text("法務省「人権相談」")
        page.get_by_role("link", name="件数").click()
        expect(page.locator("#total")).to_have_text("1")
        assert "法務省「人権相談」（法務局）" in page.locator("#counts-referral").inner_text()
        assert "名誉毀損" in page.locator("#counts-category").inner_text()
        context.close()


def _counsellor_session(db: Session, at: dt.datetime) -> str:
    user = create_user(
        "c@example.jp", "相談員 一", ["counsellor"], "correct horse battery", db=db, at=at, by=Actor.system()
    )
    token, _ = start_session(user, db=db, at=at)
    return token
