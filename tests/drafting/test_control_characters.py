"""Names, addresses and URLs in a draft are one line without invisible controls; prose may break lines.
The same reader serves the API, the form and the command line, so each refuses with the field named."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mamori.drafting.cli import app
from tests.drafting.factories import deletion_data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requester__name": "山田\r\n花子"}, "requester.name"),
        ({"requester__name": "山田\u202e子花"}, "requester.name"),
        ({"addressee": "サンプル\x00SNS"}, "addressee"),
        ({"content_url": "https://sns.example.jp/\u2028p/1"}, "content_url"),
        ({"reason": "理由\u2066です"}, "reason"),
    ],
)
def test_the_api_names_the_field_with_an_invisible_character(
    client: Any, change: dict[str, str], field: str
) -> None:
    answer = client.post("/api/v1/drafting/deletion-requests", json=deletion_data(**change))
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["detail"]
    assert problem["field"] == field and problem["message"]["ja"] and "U+" in problem["message"]["en"]


def test_prose_may_have_line_breaks(client: Any) -> None:
    answer = client.post("/api/v1/drafting/deletion-requests", json=deletion_data(reason="一行目\n二行目"))
    assert answer.status_code == 200, answer.text


def test_the_form_shows_the_problem_next_to_the_name(client: Any) -> None:
    page = client.get("/drafting/deletion?lang=en")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    answer = client.post(
        "/drafting/deletion?lang=en",
        data={"csrf_token": token.group(1), "requester.name": "Hanako\u202eYamada", "format": "pdf"},
    )
    assert answer.status_code == 422 and "changes the text direction" in answer.text


def test_the_command_line_names_the_field(tmp_path: Path) -> None:
    source = tmp_path / "d.json"
    source.write_text(
        json.dumps(deletion_data(requester__name="山田\n花子"), ensure_ascii=False), encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["deletion", "--in", str(source), "--text", str(tmp_path / "d.txt")])
    assert result.exit_code == 2 and "requester.name" in result.output and "改行" in result.output
    assert not (tmp_path / "d.txt").exists()
