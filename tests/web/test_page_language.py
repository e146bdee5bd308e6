"""The browser's language is the first guess; a choice made on the page (?lang=, then the cookie) wins."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.web.templating import accepted_lang


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("ja,en-US;q=0.8", "ja"),
        ("fr-FR,en;q=0.5,ja;q=0.7", "ja"),
        ("fr-FR,de;q=0.9", None),
        ("en;q=0,ja;q=0.1", "ja"),
        ("", None),
        ("*", None),
        ("en;q=abc", "en"),
    ],
)
def test_the_best_offered_language_of_the_browser_is_chosen(header: str, expected: str | None) -> None:
    assert accepted_lang(header) == expected


def test_an_english_browser_gets_english(client: Any) -> None:
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert 'lang="en"' in page.text and "If you were harmed by a post" in page.text


def test_a_browser_without_a_language_we_speak_gets_japanese(client: Any) -> None:
    assert 'lang="ja"' in client.get("/", headers={"Accept-Language": "fr"}).text
    assert 'lang="ja"' in client.get("/").text


def test_the_choice_on_the_page_wins_over_the_browser(client: Any) -> None:
    english_browser = {"Accept-Language": "en-US,en;q=0.9"}
    assert 'lang="ja"' in client.get("/?lang=ja", headers=english_browser).text
    assert 'lang="ja"' in client.get("/request", headers=english_browser).text  # the cookie remembers
