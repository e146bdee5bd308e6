"""Every public page speaks Japanese, English and やさしい日本語 (plain Japanese), with the browser's
language as the first guess and the visitor's choice kept everywhere; staff pages offer ja and en.

The public pages: the start page, the removal-request form and its receipt, the requester's status page,
the poster's page, the inquiry answer page, the criteria (in force, a version, the changes), the drafting
pages, the evidence page, the consultation, and the error pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from jinja2.ext import babel_extract
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.i18n import translate, translations
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.inquiry import service as inquiry
from mamori.notices import service as notices
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from mamori.web.templating import LANG_COOKIE
from tests.workspace import support

SRC = Path(__file__).resolve().parents[2] / "src" / "mamori"
LANGS = ("ja", "en", "ja-easy")
HTML = {"Accept": "text/html,application/xhtml+xml"}
ENGLISH_BROWSER = {**HTML, "Accept-Language": "en-US,en;q=0.9"}


@dataclass(frozen=True)
class Site:
    status: str  # /status/<receipt>?key=…
    poster: str  # /poster/<case>?key=…
    answer: str  # /inquiry/answer/<token>


def seed(db: Session, settings: Settings, clock: FixedClock) -> Site:
    """A decided request (status page, poster's page) and a request under inquiry (answer page)."""
    support.board(db)
    support.published_criteria(db)
    support.published_criteria(db, "2026.2", at=clock.now())  # two versions: "changes" has something
    at = clock.now()
    receipt = requests.file_request(
        support.request_form(), db=db, settings=settings, at=at, by=support.SYSTEM
    )
    support.with_poster(db, settings, receipt.case_id, at)
    decisions.decide(
        receipt.case_id,
        decisions.DecisionInput(Measure.REMOVE, "2026.2", "2.1", "特定の個人の社会的評価を低下させるため。"),
        db=db,
        settings=settings,
        at=at,
        by=support.SYSTEM,
    )
    key = requests.poster_secret(requests.get_case_row(db, receipt.case_id), settings)
    asked = support.file(db, settings, at, content_url="https://board.example/t/2")
    support.with_poster(db, settings, asked, at)
    row = inquiry.send_inquiry(
        asked, inquiry.ElectionClaim(), db=db, settings=settings, at=at, by=support.SYSTEM
    )
    notice = db.get(NoticeRow, row.notice_id)
    assert notice is not None
    link = re.search(r"/inquiry/answer/\S+", notices.body_of(notice, requests.sealer_for(settings)))
    assert link and key
    db.flush()
    return Site(
        f"/status/{receipt.receipt_number}?key={receipt.follow_secret}",
        f"/poster/{receipt.case_id}?key={key}",
        link.group(0),
    )


def public_pages(site: Site) -> dict[str, tuple[str, int]]:
    """name → (address, expected status) of every public page a GET reaches."""
    return {
        "start": ("/", 200),
        "request form": ("/request", 200),
        "status": (site.status, 200),
        "status not found": ("/status/R-00000000-0000?key=wrong", 404),
        "poster": (site.poster, 200),
        "inquiry answer": (site.answer, 200),
        "criteria": ("/criteria", 200),
        "criteria version": ("/criteria/2026.1", 200),
        "criteria changes": ("/criteria/changes", 200),
        "drafting": ("/drafting", 200),
        "drafting deletion": ("/drafting/deletion", 200),
        "drafting disclosure": ("/drafting/disclosure", 200),
        "evidence": ("/evidence", 401),  # a visitor without an account: the public page about evidence
        "evidence kit": ("/evidence/kit", 200),
        "consultation": ("/consult", 200),
        "not found": ("/no-such-page", 404),
    }


def with_lang(url: str, lang: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}lang={lang}"


def switch(html: str) -> dict[str, str]:
    """The language switch of a page: language code → link."""
    nav = re.search(r'<nav class="langs"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no language switch"
    links = re.findall(r'<a href="([^"]+)"', nav.group(1))
    found: dict[str, str] = {}
    for href in links:
        lang = re.search(r"lang=([\w-]+)", href)
        assert lang, href
        found[lang.group(1)] = href.replace("&amp;", "&")
    return found


def html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found
    return found.group(1)


def text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S)
    assert main
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0)))


@pytest.fixture
def site(db: Session, settings: Settings, clock: FixedClock) -> Site:
    return seed(db, settings, clock)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_speaks_each_language_and_offers_all_three(
    client: Any, site: Site, lang: str
) -> None:
    for name, (url, status) in public_pages(site).items():
        page = client.get(with_lang(url, lang), headers=HTML)
        assert page.status_code == status, name
        assert html_lang(page.text) == ("en" if lang == "en" else "ja"), name
        offered = switch(page.text)
        assert sorted(offered) == sorted(LANGS), name
        # each choice keeps the page and its query (the status key, the inquiry token)
        path = url.split("?")[0]
        for code, href in offered.items():
            assert href.startswith(path + "?") and href.endswith(f"lang={code}"), (name, href)
            if "key=" in url:
                assert "key=" + url.split("key=")[1] in href, (name, href)
        current = re.search(r'<a href="[^"]*lang=([\w-]+)"[^>]*aria-current="true"', page.text)
        assert current and current.group(1) == lang, name


FORM = {
    "service": "board",
    "content_url": "https://board.example/t/9#1",
    "content_text": "この人は詐欺師だ",
    "rights": ["名誉権"],
    "reason": "事実ではない内容で社会的評価が下がりました。",
    "name": "山田 花子",
    "address": "東京都新宿区西新宿2-8-1",
    "email": "hanako@example.com",
    "phone": "03-1234-5678",
    "show_name": "no",
    "declaration": "yes",
}
RECEIPT_HEADING = {
    "ja": "申出を受け付けました",
    "en": "Your request was received",
    "ja-easy": "あなたの もうしでを うけつけ ました",
}


@pytest.mark.parametrize("lang", LANGS)
def test_the_receipt_after_sending_the_form_is_in_the_chosen_language(
    client: Any, site: Site, lang: str
) -> None:
    form_page = client.get(f"/request?lang={lang}").text
    token = form_page.split('name="csrf_token" value="')[1].split('"')[0]
    receipt = client.post(f"/request?lang={lang}", data={**FORM, "csrf_token": token})
    assert receipt.status_code == 200 and 'id="receipt-number"' in receipt.text
    assert html_lang(receipt.text) == ("en" if lang == "en" else "ja")
    assert RECEIPT_HEADING[lang] in text(receipt.text)
    assert sorted(switch(receipt.text)) == sorted(LANGS)
    if lang == "ja-easy":
        assert "あとで ようすを みる ときに つかいます" in text(receipt.text)


# On each page, a sentence the plain-Japanese reader gets instead of the ordinary Japanese one.
EASY_ON = {
    "start": (
        "この サイトの とうこうを けして くださいと もうしでる",
        "このプラットフォームに投稿の削除を申し出る",
    ),
    "request form": ("アカウントは いりません。", "アカウントは不要です。"),
    "status": ("これまでの おしらせ", "これまでの通知"),
    "status not found": ("うけつけ ばんごうか キーが ちがいます。", "受付番号またはキーが違います。"),
    "poster": ("わたしたちが きめた こと: とうこうを けす", "判断: 投稿を削除する"),
    "inquiry answer": ("あなたの いけんを おしえて ください。", "ご意見をお聞かせください。"),
    "criteria": ("まえから みせて いる この きまりに そって だけ します", "あらかじめ公表したこの基準"),
    "criteria version": ("つかいはじめた 日", "施行日"),
    "criteria changes": ("けす ときの きまりで かわった ところ", "削除基準の変更点"),
    "drafting": ("たのむ ぶんしょうを つくる", "依頼書・請求書をつくる"),
    "drafting deletion": ("ほんとうの ことだけ かいて ください。", "事実だけを書いてください。"),
    "drafting disclosure": (
        "ただしい りゆうが ある とき だけ です",
        "開示を受けるべき正当な理由がある場合だけ",
    ),
    "evidence": ("きえる まえに きろくを のこしましょう", "消される前に記録を残しましょう"),
    "evidence kit": ("この サーバーには なにも のこりません。", "このサーバーには何も残りません。"),
    "not found": ("この ページは ありません", "ページが見つかりません"),
}


def test_the_plain_japanese_pages_say_it_in_plain_words(client: Any, site: Site) -> None:
    pages = public_pages(site)
    for name, (easy, ordinary) in EASY_ON.items():
        url = pages[name][0]
        plain, japanese = (
            text(client.get(with_lang(url, lang), headers=HTML).text) for lang in ("ja-easy", "ja")
        )
        assert easy in plain and ordinary not in plain, name
        assert ordinary in japanese and easy not in japanese, name


def test_the_plain_japanese_status_page_names_the_stage_and_dates_as_in_japanese(
    client: Any, site: Site
) -> None:
    page = text(client.get(with_lang(site.status, "ja-easy")).text)
    assert "きまり ました" in page  # the stage, from requests/macros.html
    assert "うけつけ" in page and "(日本時間)" in page  # dates read as in Japanese, not "JST"
    assert "JST" not in page


def test_a_requester_who_filed_in_english_reads_the_status_page_in_english(
    client: Any, db: Session, settings: Settings, clock: FixedClock, site: Site
) -> None:
    """Stage, outcome, labels, dates and the copies of the notices: no Japanese but what people wrote."""
    receipt = requests.file_request(
        support.request_form(
            lang="en",
            content_url="https://board.example/t/3",
            content_text="Ichiro Sato is a fraud",
            reason="I never cheated anyone.",
        ),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.SYSTEM,
    )
    decisions.decide(
        receipt.case_id,
        decisions.DecisionInput(Measure.NO_ACTION, "2026.2", None, "It is a fair comment."),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.SYSTEM,
    )
    db.flush()
    page = text(client.get(f"/status/{receipt.receipt_number}?key={receipt.follow_secret}&lang=en").text)
    assert "Decided" in page and "Receipt" in page and "Decision" in page and "JST" in page
    given = (
        settings.platform_name,
        "(名誉権)",
        "佐藤一郎",
    )  # the operator's name, the law's name of the right
    leftover = page
    for value in given:
        leftover = leftover.replace(value, "")
    assert re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]+", leftover) == []


def test_an_english_browser_gets_every_public_page_in_english_without_asking(client: Any, site: Site) -> None:
    for name, (url, status) in public_pages(site).items():
        page = client.get(url, headers=ENGLISH_BROWSER)
        assert page.status_code == status, name
        assert html_lang(page.text) == "en", name
        assert LANG_COOKIE not in page.cookies  # a guess is not a choice: nothing is remembered


def test_the_choice_is_kept_on_every_page_even_against_the_browser(client: Any, site: Site) -> None:
    chosen = client.get("/?lang=ja-easy", headers=ENGLISH_BROWSER)
    assert chosen.cookies.get(LANG_COOKIE) == "ja-easy"
    # The consultation leaves no lasting trace: it drops the cookie and carries the language in its links.
    for name, (url, _status) in public_pages(site).items():
        if name == "consultation":
            continue
        page = client.get(url, headers=ENGLISH_BROWSER)
        assert html_lang(page.text) == "ja", name
        current = re.search(r'<a href="[^"]*lang=([\w-]+)"[^>]*aria-current="true"', page.text)
        assert current and current.group(1) == "ja-easy", name
    assert "この ページは ありません" in client.get("/no-such-page", headers=HTML).text
    client.get("/?lang=en")
    assert html_lang(client.get("/request", headers={"Accept-Language": "ja"}).text) == "en"


def test_staff_pages_offer_japanese_and_english_and_read_a_plain_choice_as_japanese(client: Any) -> None:
    login = client.get("/login?lang=ja-easy")
    assert html_lang(login.text) == "ja"
    assert sorted(switch(login.text)) == ["en", "ja"]
    footer = "open-source software for responding to online abuse"
    assert translate(footer, "ja") in login.text and translate(footer, "ja-easy") not in login.text
    client.get("/?lang=ja-easy")  # chosen on a public page, then the staff page
    assert 'aria-current="true" lang="ja"' in client.get("/login").text.replace("\n", "")


# ---------------------------------------------------------------- the catalogues

PUBLIC_TEMPLATES = [
    "web/templates/home.html",
    "web/templates/error.html",
    "web/templates/base.html",
    "requests/templates/requests/form.html",
    "requests/templates/requests/receipt.html",
    "requests/templates/requests/status_not_found.html",
    "requests/templates/requests/macros.html",
    "appeals/templates/appeals/status.html",
    "appeals/templates/appeals/poster.html",
    "appeals/templates/appeals/refused.html",
    "appeals/templates/appeals/macros.html",
    "criteria/templates/criteria/version.html",
    "criteria/templates/criteria/changes.html",
    "inquiry/templates/inquiry/answer.html",
    "inquiry/templates/inquiry/gone.html",
    "inquiry/templates/inquiry/thanks.html",
    "drafting/templates/drafting/index.html",
    "drafting/templates/drafting/deletion.html",
    "drafting/templates/drafting/disclosure.html",
    "drafting/templates/drafting/_fields.html",
    "evidence/templates/evidence/sign_in.html",
    "evidence/templates/evidence/kit.html",
    "evidence/templates/evidence/kit_capture.html",
    "evidence/templates/evidence/_capture_rows.html",
    *(
        f"consult/templates/consult/{name}.html"
        for name in (
            "public",
            "start",
            "question",
            "result",
            "guide",
            "guides",
            "what_happened",
            "body",
            "body_card",
            "danger_calls",
            "back",
        )
    ),
]
# Words that are the same for every reader of Japanese (names of formats, the technical words a plain
# reader will meet as they are), so the plain catalogue need not repeat them.
SAME_IN_PLAIN = {"API reference", "IP address", "ID"}


def plain_japanese() -> set[str]:
    found: set[str] = set()
    layer: Any = translations("ja-easy")
    while layer is not None:
        found |= {k for k, v in getattr(layer, "_catalog", {}).items() if isinstance(k, str) and k and v}
        layer = getattr(layer, "_fallback", None)
    return found


def test_every_text_of_a_public_page_has_a_plain_japanese_translation() -> None:
    """A text added to a public page needs a line in locale/ja-easy/LC_MESSAGES/<capability>.po."""
    known = plain_japanese() | SAME_IN_PLAIN
    missing = []
    for relative in PUBLIC_TEMPLATES:
        template = SRC / relative
        with template.open("rb") as fh:
            for line, _func, message, _comments in babel_extract(fh, ["_", "gettext", "ngettext"], [], {}):
                for msgid in message if isinstance(message, tuple) else (message,):
                    if msgid and msgid not in known:
                        missing.append(f"{relative}:{line}: {msgid!r}")
    assert missing == [], "\n".join(missing)


def test_plain_japanese_keeps_the_placeholders_of_each_text() -> None:
    """A translation that dropped or renamed a %(name)s would break the page that fills it."""
    wrong = []
    for msgid in plain_japanese():
        expected = sorted(re.findall(r"%\((\w+)\)s", msgid))
        if sorted(re.findall(r"%\((\w+)\)s", translate(msgid, "ja-easy"))) != expected:
            wrong.append(msgid)
    assert wrong == []


@pytest.mark.parametrize("stray", ["fr", "xx-easy", "<script>", "jaa"])
def test_a_stray_language_value_is_no_choice_and_the_browser_decides(client: Any, stray: str) -> None:
    page = client.get("/", params={"lang": stray}, headers=ENGLISH_BROWSER)
    assert html_lang(page.text) == "en" and LANG_COOKIE not in page.cookies
    client.cookies.set(LANG_COOKIE, stray)
    assert html_lang(client.get("/", headers=ENGLISH_BROWSER).text) == "en"


def test_other_spellings_of_plain_japanese_are_understood(client: Any) -> None:
    for spelling in ("ja-easy", "JA_EASY", "easy-ja", "ja-x-easy"):
        page = client.get("/", params={"lang": spelling}, headers=ENGLISH_BROWSER)
        assert "この サイトの とうこうを けして くださいと もうしでる" in page.text, spelling
