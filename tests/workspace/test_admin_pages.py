"""The administrator's page (/workspace/admin): only `platform.manage` sees or changes it; the operator's
details and the services make the round trip through the forms; a refusal comes back next to its
field, in the page's language, keeping what was typed, and changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core import operator as operators
from mamori.core.config import Settings
from mamori.requests import services
from mamori.web.csrf import session_csrf_token
from tests.workspace import support

OPERATOR_FORM = {
    "name_ja": "例示株式会社",
    "name_en": "Example Inc.",
    "email": "removal@example.jp",
    "public_url": "https://removal.example.jp",
    "postal_address": "東京都千代田区1-1-1",
    "phone": "03-1234-5678",
    "contact_url": "",
}


def sign_in(client: Any, db: Session, roles: list[str]) -> str:
    """Sign in a new account with these roles; returns the CSRF token its forms carry."""
    email = f"{'-'.join(roles)}@admin-page.example.jp"
    support.staff(db, email, roles)
    db.flush()
    client.get("/login")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    answer = client.post(
        "/login",
        data={"email": email, "password": support.PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return session_csrf_token(Settings().secret_key, client.cookies.get("mamori_session"))


def field_error(page: str, form_id: str, name: str) -> str | None:
    found = re.search(rf'<p class="error" id="{form_id}-{name}-error">([^<]*)</p>', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_administrator_sees_the_operator_and_the_services(client: Any, db: Session, lang: str) -> None:
    support.board(db)
    sign_in(client, db, ["administrator"])
    page = client.get(f"/workspace/admin?lang={lang}")
    assert page.status_code == 200, page.text
    assert 'id="svc-board-name_ja"' in page.text and 'value="掲示板"' in page.text
    assert page.text.count('name="csrf_token"') >= 3  # the operator, the rename, the new service
    expected = "まだ設定されていません" if lang == "ja" else "Not set up yet"
    assert expected in page.text  # the operator still comes from the settings
    assert 'value="mamori demo platform"' in page.text


@pytest.mark.parametrize("roles", [["specialist"], ["auditor"], ["legal_officer"], ["supervisor"]])
def test_anyone_without_platform_manage_is_refused_every_route(
    client: Any, db: Session, roles: list[str]
) -> None:
    support.board(db)
    token = sign_in(client, db, roles)
    assert client.get("/workspace/admin").status_code == 403
    for path, data in (
        ("/workspace/admin/operator", OPERATOR_FORM),
        ("/workspace/admin/services", {"slug": "forum", "name_ja": "フォーラム", "name_en": "Forum"}),
        ("/workspace/admin/services/board", {"name_ja": "板", "name_en": "Plank"}),
    ):
        answer = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
    assert not operators.operator_is_set_up(db)
    assert [(s.slug, s.name_ja) for s in services.list_services(db)] == [("board", "掲示板")]


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Any) -> None:
    answer = client.get("/workspace/admin", headers={"accept": "text/html"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


def test_a_form_without_its_csrf_token_is_refused(client: Any, db: Session) -> None:
    sign_in(client, db, ["administrator"])
    answer = client.post("/workspace/admin/operator", data=OPERATOR_FORM, follow_redirects=False)
    assert answer.status_code == 403
    assert not operators.operator_is_set_up(db)


def test_the_operator_round_trip(client: Any, db: Session, settings: Settings) -> None:
    token = sign_in(client, db, ["administrator"])
    saved = client.post(
        "/workspace/admin/operator?lang=en",
        data={**OPERATOR_FORM, "csrf_token": token},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/workspace/admin?lang=en&saved=operator"
    page = client.get(saved.headers["location"])
    assert "The operator&#39;s details were saved." in page.text and "Not set up yet" not in page.text
    assert 'value="例示株式会社"' in page.text and 'value="03-1234-5678"' in page.text
    profile = operators.operator_profile(db, settings)
    assert (profile.configured, profile.name_en, profile.contact_url) == (True, "Example Inc.", None)


@pytest.mark.parametrize(
    ("lang", "field", "value", "message"),
    [
        ("en", "email", "removal at example.jp", "Not an e-mail address"),
        ("ja", "email", "removal at example.jp", "メールアドレスとして正しくありません"),
        ("en", "public_url", "ftp://removal.example.jp", "starting with https://"),
        ("ja", "name_ja", "", "名称 (日本語)を入力してください"),
        ("en", "phone", "call us", "A phone number is digits"),
    ],
)
def test_a_refused_operator_detail_is_shown_next_to_its_field_keeping_what_was_typed(
    client: Any, db: Session, lang: str, field: str, value: str, message: str
) -> None:
    token = sign_in(client, db, ["administrator"])
    typed = {**OPERATOR_FORM, field: value, "csrf_token": token}
    answer = client.post(f"/workspace/admin/operator?lang={lang}", data=typed, follow_redirects=False)
    assert answer.status_code == 422
    error = field_error(answer.text, "op", field)
    assert error is not None and message in error
    described = re.search(
        rf'id="op-{field}"[^>]*aria-describedby="([^"]*)"[^>]*aria-invalid="true"', answer.text
    )
    assert described and f"op-{field}-error" in described.group(1).split()
    assert 'value="東京都千代田区1-1-1"' in answer.text  # what was typed stays
    assert not operators.operator_is_set_up(db)


def test_a_service_is_added_and_renamed_through_the_page(client: Any, db: Session) -> None:
    token = sign_in(client, db, ["administrator"])
    added = client.post(
        "/workspace/admin/services?lang=ja",
        data={"slug": "forum", "name_ja": "フォーラム", "name_en": "Forum", "csrf_token": token},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert "サービスを追加しました。" in client.get(added.headers["location"]).text
    renamed = client.post(
        "/workspace/admin/services/forum?lang=ja",
        data={"name_ja": "掲示板フォーラム", "name_en": "Forum", "csrf_token": token},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    page = client.get(renamed.headers["location"]).text
    assert "サービスの名称を変更しました。" in page and 'value="掲示板フォーラム"' in page
    assert [(s.slug, s.name_ja, s.name_en) for s in services.list_services(db)] == [
        ("forum", "掲示板フォーラム", "Forum")
    ]


def test_refused_services_are_shown_next_to_the_field_in_the_pages_language(client: Any, db: Session) -> None:
    support.board(db)
    token = sign_in(client, db, ["administrator"])
    bad_slug = client.post(
        "/workspace/admin/services?lang=en",
        data={"slug": "Forum", "name_ja": "フォーラム", "name_en": "Forum", "csrf_token": token},
    )
    assert bad_slug.status_code == 422
    assert "The slug &#39;Forum&#39; cannot be used" in (field_error(bad_slug.text, "add", "slug") or "")
    assert 'value="フォーラム"' in bad_slug.text
    taken = client.post(
        "/workspace/admin/services?lang=ja",
        data={"slug": "board", "name_ja": "別の板", "name_en": "Other", "csrf_token": token},
    )
    assert taken.status_code == 409
    assert "サービス board は既にあります" in (field_error(taken.text, "add", "slug") or "")
    rename = client.post(
        "/workspace/admin/services/board?lang=en",
        data={"name_ja": "掲示板", "name_en": "Bo\u202eard", "csrf_token": token},
    )
    assert rename.status_code == 422
    assert "invisible character" in (field_error(rename.text, "svc-board", "name_en") or "")
    missing = client.post(
        "/workspace/admin/services/nowhere?lang=en",
        data={"name_ja": "どこ", "name_en": "Nowhere", "csrf_token": token},
    )
    assert missing.status_code == 404 and "There is no service nowhere" in missing.text
    assert [(s.slug, s.name_ja, s.name_en) for s in services.list_services(db)] == [
        ("board", "掲示板", "Board")
    ]
