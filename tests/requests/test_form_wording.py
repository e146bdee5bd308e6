"""The public removal-request form speaks to a person: each field, left empty or filled wrongly, gets a
plain sentence in the page's language (never raw validation text); required fields are marked; each
right has a short explanation beside it (issue 11: "Form errors", "no help on the rights")."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.requests.model import Right
from tests.factories import make_service

GOOD: dict[str, Any] = {
    "service": "test-board",
    "content_url": "https://example.com/thread/1#23",
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

# Texts that betray raw validation output or a message that does not tell the person what to do.
RAW = re.compile(
    r"should (have|be)|Input should|List should|String should|Field required|value is not|"
    r"validation|\(true\)|値が正しくありません|短すぎます|true か false",
    re.IGNORECASE,
)

# (field, submitted value or None to leave it out, words the ja message must contain, the en message)
CASES: list[tuple[str, Any, str, str]] = [
    ("service", "", "サービスを選んで", "choose the service"),
    ("content_url", "", "URL", "url"),
    ("content_url", "example.com/1", "http", "http"),
    ("content_text", "", "投稿", "post"),
    ("rights", None, "権利", "right"),
    ("rights", ["何か"], "権利", "right"),
    ("reason", "", "理由", "why"),
    ("reason", "短い", "10", "10"),
    ("name", "", "氏名", "name"),
    ("address", "", "住所", "address"),
    ("email", "", "メールアドレスを入力", "enter your e-mail"),
    ("email", "not-an-address", "メールアドレス", "e-mail"),
    ("phone", "", "電話番号を入力", "enter your telephone"),
    ("phone", "abc", "電話番号", "telephone"),
    ("show_name", None, "氏名", "name"),
    ("declaration", None, "事実", "true"),
]


def csrf(client: Any, lang: str) -> str:
    page = client.get(f"/request?lang={lang}").text
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert found, f"no error shown beside {field}"
    return unescape(found.group(1)).strip()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("field", "value", "ja_words", "en_words"), CASES)
def test_each_field_left_empty_or_wrong_gets_a_plain_sentence(
    client: Any, db: Session, lang: str, field: str, value: Any, ja_words: str, en_words: str
) -> None:
    make_service(db)
    form = dict(GOOD, csrf_token=csrf(client, lang))
    if value is None:
        del form[field]
    else:
        form[field] = value
    page = client.post(f"/request?lang={lang}", data=form)
    assert page.status_code == 422
    message = field_error(page.text, field)
    assert not RAW.search(message), message
    if lang == "ja":
        assert ja_words in message and re.search(r"[ぁ-ん]", message), message
    else:
        assert en_words in message.lower(), message
        assert message[0].isupper() and message.endswith("."), message
        assert not re.search(r"[ぁ-んァ-ン]", message), message


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_empty_form_names_every_required_field_in_plain_words(client: Any, db: Session, lang: str) -> None:
    make_service(db)
    page = client.post(f"/request?lang={lang}", data={"csrf_token": csrf(client, lang)})
    assert page.status_code == 422
    for field in (
        "service",
        "content_url",
        "content_text",
        "rights",
        "reason",
        "name",
        "address",
        "email",
        "phone",
        "show_name",
        "declaration",
    ):
        assert not RAW.search(field_error(page.text, field))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_required_fields_are_marked_and_the_phone_is_one_of_them(client: Any, lang: str) -> None:
    page = client.get(f"/request?lang={lang}").text
    for field in ("content_url", "content_text", "reason", "name", "address", "email", "phone"):
        tag = re.search(rf'<(input|textarea|select)[^>]*id="{field}"[^>]*>', page)
        assert tag and " required" in tag.group(0) and 'aria-required="true"' in tag.group(0), field
    service = re.search(r'<select[^>]*id="service"[^>]*>', page)
    assert service and 'aria-required="true"' in service.group(0)
    label = re.search(r'<label for="phone">(.*?)</label>', page, re.S)
    assert label and ("必須" if lang == "ja" else "required") in label.group(1)
    for group in ("rights-group", "show_name-group", "declaration-group"):
        legend = re.search(rf'id="{group}".*?<legend>(.*?)</legend>', page, re.S)
        assert legend and ("必須" if lang == "ja" else "required") in legend.group(1), group


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_right_has_a_short_explanation_beside_it(client: Any, lang: str) -> None:
    page = client.get(f"/request?lang={lang}").text
    helps = set()
    for right in Right:
        found = re.search(rf'value="{right.value}"[^>]*aria-describedby="(right-[a-z_]+-help)"', page)
        assert found, right
        help_text = re.search(rf'id="{found.group(1)}"[^>]*>(.*?)<', page, re.S)
        assert help_text and len(help_text.group(1).strip()) > 8, right
        if lang == "en":
            assert not re.search(r"[ぁ-ん]", help_text.group(1)), help_text.group(1)
        else:
            assert re.search(r"[ぁ-ん]", help_text.group(1)), help_text.group(1)
        helps.add(help_text.group(1))
    assert len(helps) == len(Right)
