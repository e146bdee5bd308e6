"""The public consultation pages: one question at a time, in ja/en/easy Japanese, nothing stored."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.consult.catalogue import consult_map
from mamori.consult.model import all_paths
from mamori.core.audit import AuditRow


def test_start_page_has_a_neutral_title_and_a_quick_exit(client: Any) -> None:
    page = client.get("/consult")
    assert page.status_code == 200
    title = re.search(r"<title>(.*?)</title>", page.text).group(1)  # type: ignore[union-attr]
    assert "誹謗" not in title and "中傷" not in title and "相談" not in title
    assert 'id="quick-exit"' in page.text and "/static/quick-exit.js" in page.text
    assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(("path", "leaf"), list(all_paths(consult_map().tree)))
def test_every_path_can_be_followed_by_links_alone(client: Any, path: tuple[str, ...], leaf: Any) -> None:
    url = "/consult/q?lang=en"
    for answer in path:
        page = client.get(url)
        assert page.status_code == 200
        links = re.findall(r'class="answer" href="([^"]+)"', page.text)
        url = next(
            link.replace("&amp;", "&")
            for link in links
            if link.split("a=")[1].split("&")[0].split(",")[-1] == answer
        )
    result = client.get(url)
    assert "Where to get help" in result.text
    for body_id in leaf.recommend:
        assert consult_map().bodies[body_id].name.en in html.unescape(result.text)


def test_back_link_drops_the_last_answer(client: Any) -> None:
    page = client.get("/consult/q?a=no,yes,solve&lang=ja")
    assert 'href="/consult/q?a=no,yes&amp;lang=ja" rel="prev"' in page.text


def test_a_minor_is_told_to_talk_to_a_trusted_adult(client: Any) -> None:
    adult = client.get("/consult/q?a=no,no,listen&lang=en").text
    minor = client.get("/consult/q?a=no,yes,listen&lang=en").text
    assert "A trusted adult" in minor and "A trusted adult" not in adult


def test_easy_japanese_is_offered_and_falls_back_to_japanese(client: Any) -> None:
    page = client.get("/consult/q?lang=ja-easy")
    assert "いま、あぶないと かんじて いますか？" in page.text
    assert 'lang=ja-easy" lang="ja" aria-current="true"' in page.text


def test_language_switch_keeps_the_answers(client: Any) -> None:
    page = client.get("/consult/q?a=no,no&lang=ja")
    assert 'href="/consult/q?a=no,no&amp;lang=en"' in page.text


def test_a_hand_edited_answer_is_a_clear_400(client: Any) -> None:
    response = client.get("/consult/q?a=no,perhaps")
    assert response.status_code == 400 and response.json()["error"] == "unknown_answer"


def test_saving_the_result_is_a_download_and_nothing_is_stored(client: Any, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(AuditRow))
    response = client.get("/consult/save?a=no,no,solve,delete,myself&lang=ja")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    assert "違法・有害情報相談センター" in response.text and "https://ihaho.jp/" in response.text
    assert db.scalar(select(func.count()).select_from(AuditRow)) == before


def test_service_guides_list_every_service_and_link_evidence_and_drafting(client: Any) -> None:
    index = client.get("/consult/guides?lang=en").text
    for guide in consult_map().services.values():
        assert f"/consult/guides/{guide.id}" in index
    page = client.get("/consult/guides/x?lang=en").text
    for part in (
        "Mute",
        "Block",
        "Limit replies",
        "Report",
        "If the service does not remove it",
        "https://help.x.com/ja/forms",
        'href="/evidence/kit?lang=en"',  # the chosen language travels with the link (the kit: no account)
        'href="/drafting?lang=en"',
    ):
        assert part in page
    assert client.get("/consult/guides/nowhere").status_code == 404


def test_pasted_text_is_blurred_and_rights_suggested(client: Any) -> None:
    client.get("/consult/what-happened")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    page = client.post(
        "/consult/what-happened?lang=ja",
        data={"text": "こいつは詐欺師だ。住所は東京都新宿区西新宿2-8-1", "csrf_token": token},
    )
    assert page.status_code == 200
    assert '<div class="blurred" id="pasted">こいつは詐欺師だ' in page.text
    assert '<textarea id="text" name="text" maxlength="5000" ></textarea>' in page.text
    assert "侵害されている可能性のある権利" in page.text


def test_a_form_post_without_csrf_token_is_refused(client: Any) -> None:
    assert client.post("/consult/what-happened", data={"text": "x"}).status_code == 403


def test_public_pages_leave_no_lasting_language_cookie(client: Any) -> None:
    response = client.get("/consult/q?lang=en")
    cookies = response.headers.get_list("set-cookie")
    lang_cookies = [c for c in cookies if c.startswith("mamori_lang=")]
    assert lang_cookies and 'mamori_lang=""' in lang_cookies[-1] and "Max-Age=0" in lang_cookies[-1]
    assert not client.cookies.get("mamori_lang")


def test_the_tree_may_be_embedded_by_other_sites(client: Any) -> None:
    assert client.get("/api/v1/triage/tree").headers["access-control-allow-origin"] == "*"
