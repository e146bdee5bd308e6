"""Text people type: invisible controls that hide, reverse or break what a reader sees are refused with a
message that names the character and where it is, in Japanese and English."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from mamori.core.errors import DomainError
from mamori.core.text import MultiLineText, SingleLineText, refuse_control_characters, text_problem


class Form(BaseModel):
    name: SingleLineText
    body: MultiLineText = ""


@pytest.mark.parametrize(
    ("value", "position"),
    [
        ("佐藤\x00一郎", 3),  # NUL
        ("abc\x1b[31m", 4),  # ESC: terminal escape sequences
        ("\x7fabc", 1),  # DEL
        ("a\x85b", 2),  # C1 control (NEL)
        ("\ud800", 1),  # a lone surrogate (what "\ud800" in JSON becomes)
        ("exe.\u202etxt", 5),  # RIGHT-TO-LEFT OVERRIDE
        ("a\u202ab", 2),  # LEFT-TO-RIGHT EMBEDDING
        ("a\u2066b\u2069", 2),  # LEFT-TO-RIGHT ISOLATE
    ],
)
def test_all_text_refuses_invisible_controls_naming_the_character_and_its_place(
    value: str, position: int
) -> None:
    problem = text_problem(value, single_line=False)
    assert problem is not None and problem.position == position
    assert (
        f"U+{ord(value[position - 1]):04X}" in problem.en
        and f"U+{ord(value[position - 1]):04X}" in problem.ja
    )
    assert f"{position}" in problem.ja and f"{position}" in problem.en


@pytest.mark.parametrize("value", ["佐藤\r\n一郎", "佐藤\n一郎", "佐藤\r一郎", "a\u2028b", "a\u2029b"])
def test_single_line_text_refuses_line_breaks(value: str) -> None:
    problem = text_problem(value, single_line=True)
    assert problem is not None and problem.code == "line_break"
    assert "改行" in problem.ja and "line break" in problem.en
    assert text_problem(value.replace("\u2028", "\n").replace("\u2029", "\n"), single_line=False) is None


@pytest.mark.parametrize(
    "value",
    [
        "佐藤一郎",
        "株式会社テスト　代表取締役",  # ideographic space
        "タブ\tあり",
        "😀 emoji and 𠮷 outside the BMP",
        "עברית \u200f mark",  # RLM: a mark, not an override, belongs to Hebrew and Arabic text
        "",
    ],
)
def test_ordinary_text_passes(value: str) -> None:
    assert text_problem(value, single_line=True) is None


def test_the_pydantic_types_answer_with_both_languages_in_the_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Form(name="佐藤\n一郎", body="ok")
    (error,) = caught.value.errors()
    assert error["loc"] == ("name",) and error["type"] == "line_break"
    assert "改行" in error["ctx"]["ja"] and "line break" in error["msg"]
    with pytest.raises(ValidationError) as caught:
        Form(name="ok", body="本文\x00")
    assert caught.value.errors()[0]["type"] == "control_character"
    assert Form(name="佐藤 一郎", body="一行目\n二行目").body == "一行目\n二行目"


def test_a_form_field_is_refused_as_a_domain_error_naming_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        refuse_control_characters("a\u202eb", field="email", single_line=True)
    assert caught.value.field == "email" and caught.value.status == 422
    assert "U+202E" in caught.value.ja and "U+202E" in caught.value.en
    assert refuse_control_characters("ok", field="email", single_line=True) == "ok"
