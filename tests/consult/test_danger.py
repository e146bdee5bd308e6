"""Danger taken seriously: large 110 / #9110 / 189 calls where danger is indicated, and a threat
typed into "what happened?" points to the police before any right."""

from __future__ import annotations

import re
import sys
import types
from typing import Any

import pytest

from mamori.consult.triage import suggest_rights_for

CALLS = {"110": "tel:110", "#9110": "tel:%239110", "189": "tel:189"}
HEADING = {
    "ja": "危険なときは、すぐに電話してください",
    "en": "In danger? Call now",
    "ja-easy": "あぶない ときは",
}


def _post(client: Any, text: str, lang: str = "ja") -> str:
    client.get("/consult/what-happened")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    page = client.post(f"/consult/what-happened?lang={lang}", data={"text": text, "csrf_token": token})
    assert page.status_code == 200
    return str(page.text)


@pytest.mark.parametrize("lang", ["ja", "en", "ja-easy"])
def test_the_in_danger_result_starts_with_large_calls_to_110_9110_and_189(client: Any, lang: str) -> None:
    page = client.get(f"/consult/q?a=yes&lang={lang}").text
    section = page.index('id="danger-calls"')
    assert section < page.index("<h1>"), "the calls come before everything else on the page"
    assert HEADING[lang] in page
    for number, href in CALLS.items():
        link = re.search(rf'<a class="button danger-call"[^>]*href="{href}"[^>]*>(.*?)</a>', page, re.S)
        assert link is not None, number
        assert "<strong" in link.group(1) and f">{number}</strong>" in link.group(1)


def test_a_result_without_danger_has_no_emergency_block(client: Any) -> None:
    page = client.get("/consult/q?a=no,no,listen&lang=en").text
    assert 'id="danger-calls"' not in page


def test_feeling_in_danger_later_in_the_tree_also_gets_the_calls(client: Any) -> None:
    page = client.get("/consult/q?a=no,no,solve,punish&lang=en").text
    assert 'href="tel:110"' in page and page.index('id="danger-calls"') < page.index("<h1>")


def test_the_checker_flags_a_threat_from_the_detection() -> None:
    assert suggest_rights_for("殺してやる").threat is True
    assert suggest_rights_for("今日はいい天気ですね").threat is False


def test_a_threat_flag_from_the_detection_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.ModuleType("mamori.detect.service")
    fake.score_text = lambda text: types.SimpleNamespace(flags=["threat", "abuse"])  # type: ignore[attr-defined]
    fake.suggest_rights = lambda result: ["私生活の平穏"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "mamori.detect.service", fake)
    assert suggest_rights_for("今から行くぞ").threat is True


@pytest.mark.parametrize(
    ("lang", "pointer"),
    [("ja", "身の危険を感じたら警察に電話"), ("en", "call the police"), ("ja-easy", "けいさつに でんわ")],
)
def test_a_threat_text_points_to_the_police_before_any_right(client: Any, lang: str, pointer: str) -> None:
    page = _post(client, "お前を殺してやる", lang)
    assert pointer in page
    calls = page.index('id="danger-calls"')
    assert calls < page.index('id="rights-h"')
    assert 'href="tel:110"' in page and 'href="tel:%239110"' in page


def test_a_text_that_is_no_threat_gets_no_police_pointer(client: Any) -> None:
    page = _post(client, "こいつは詐欺師だ", "en")
    assert 'id="danger-calls"' not in page
