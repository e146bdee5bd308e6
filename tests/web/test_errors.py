"""Errors as a person meets them: a browser is sent to sign in; the API answers JSON in ja and en."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.factories import make_staff


def test_a_signed_out_browser_is_sent_to_sign_in_and_back(client: Any) -> None:
    response = client.get("/workspace?service=x", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fworkspace%3Fservice%3Dx"


def test_the_api_answers_json_with_both_languages(client: Any) -> None:
    response = client.get("/api/v1/cases", headers={"Accept": "text/html"})
    assert response.status_code == 401
    assert response.json()["message"] == {"ja": "ログインしてください。", "en": "Sign in first."}


def test_a_forbidden_page_explains_itself_in_the_page_language(client: Any, db: Session) -> None:
    from mamori.core import auth

    user, _token = make_staff(db, ["counsellor"])
    cookie, _csrf = auth.start_session(user, db=db, at=client.app.state.clock.now())
    db.flush()
    client.cookies.set("mamori_session", cookie)
    ja = client.get("/workspace", headers={"Accept": "text/html"})
    assert ja.status_code == 403 and "この操作の権限がありません" in ja.text and 'lang="ja"' in ja.text
    en = client.get("/workspace?lang=en", headers={"Accept": "text/html"})
    assert en.status_code == 403 and "You may not do this" in en.text and 'lang="en"' in en.text


def test_the_start_page_sends_each_visitor_on_in_their_language(client: Any) -> None:
    ja = client.get("/")
    assert ja.status_code == 200 and "投稿で被害を受けた方へ" in ja.text
    assert 'href="/consult"' in ja.text and 'href="/request"' in ja.text and 'href="/login"' in ja.text
    en = client.get("/?lang=en")
    assert "If you were harmed by a post" in en.text
