"""Every public page offers the quick exit; staff pages do not; language links keep the page's query."""

from __future__ import annotations

from typing import Any

import pytest

from mamori.web.templating import EXIT_URL, has_quick_exit


@pytest.mark.parametrize("path", ["/", "/request", "/criteria", "/drafting", "/evidence", "/no-such-page"])
def test_a_public_page_has_the_quick_exit_and_its_script(client: Any, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert 'class="quick-exit"' in page.text and f'data-exit="{EXIT_URL["ja"]}"' in page.text
    assert 'src="/static/quick-exit.js"' in page.text


def test_the_quick_exit_leads_english_readers_to_an_english_site(client: Any) -> None:
    assert f'data-exit="{EXIT_URL["en"]}"' in client.get("/request?lang=en").text


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/status/R-1", True),
        ("/poster/abc", True),
        ("/inquiry/answer/x", True),
        ("/consult", True),
        ("/workspace", False),
        ("/workspace/cases/1", False),
        ("/consult/records", False),
        ("/consult/dashboard", False),
        ("/login", False),
    ],
)
def test_staff_pages_do_without_the_quick_exit(path: str, shown: bool) -> None:
    assert has_quick_exit(path) is shown


def test_the_script_replaces_the_page_in_the_history(client: Any) -> None:
    script = client.get("/static/quick-exit.js").text
    assert "location.replace" in script and "Escape" in script


def test_language_links_keep_the_rest_of_the_query(client: Any) -> None:
    page = client.get("/criteria?lang=ja&x=1")
    assert 'href="/criteria?x=1&amp;lang=en"' in page.text
    assert 'href="/?lang=ja"' in page.text  # the name of the site leads home in the same language
