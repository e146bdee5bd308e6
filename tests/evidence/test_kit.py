"""The evidence kit for a person without an account (issue 11): upload screenshots with the address and
when they were seen, get back one sealed ZIP (files, SHA-256, signature, the profile with what is still
needed, a Japanese PDF), nothing kept on the server; `mamori evidence verify` accepts it and rejects a
flipped byte; bad input is refused beside its field."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from mamori.core.config import Settings
from tests.evidence.factories import png

FILES = [
    ("files", ("shot 1.png", png((200, 0, 0)), "image/png")),
    ("files", ("shot2.png", png(), "image/png")),
]
FORM = {
    "url": "https://board.example.jp/thread/123/post/456",
    "seen_at": "2026-03-31T23:30",
    "posted_at": "2026/03/31 22:10",
    "poster_name": "名無しさん",
}


def csrf(client: Any) -> str:
    client.get("/evidence/kit")
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def seal(client: Any, data: dict[str, str] | None = None, files: Any = None, lang: str = "ja") -> Any:
    body = {**(FORM if data is None else data), "csrf_token": csrf(client)}
    return client.post(f"/evidence/kit?lang={lang}", data=body, files=FILES if files is None else files)


def _cli() -> Any:
    from mamori.evidence.cli import app

    return app


def test_the_kit_page_needs_no_account_and_offers_the_form(client: Any) -> None:
    for lang, words in (("ja", "アカウントは不要です"), ("en", "No account is needed")):
        page = client.get(f"/evidence/kit?lang={lang}")
        assert page.status_code == 200 and words in page.text
        assert 'type="file"' in page.text and 'id="quick-exit"' in page.text
    # the staff evidence page, for a person without an account, points to the kit first
    assert 'href="/evidence/kit?lang=ja"' in client.get("/evidence?lang=ja").text


def test_sealing_returns_a_zip_that_verify_accepts_and_keeps_nothing(
    client: Any, db: Session, settings: Settings, tmp_path: Path
) -> None:
    from mamori.evidence.store import EvidenceItemRow

    before = db.scalar(select(func.count()).select_from(EvidenceItemRow))
    answer = seal(client)
    assert answer.status_code == 200, answer.text[answer.text.find("<main") :][:1500]
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    kit = tmp_path / "kit.zip"
    kit.write_bytes(answer.content)
    with zipfile.ZipFile(kit) as archive:
        names = set(archive.namelist())
        meta = json.loads(archive.read("metadata.json"))
        assert archive.read("files/01-shot_1.png") == FILES[0][1][1]
        assert archive.read("report.pdf").startswith(b"%PDF-")
    assert {"metadata.json", "signature.json", "report.pdf", "README.txt", "files/02-shot2.png"} <= names
    assert meta["url"] == FORM["url"] and meta["stated"]["seen_at_jst"].startswith("2026年3月31日 23:30")
    profile = meta["profile"]
    assert profile["posted_at"] == FORM["posted_at"] and profile["permalink_captured"] is True
    assert [n["field"] for n in profile["still_needed"]] == ["poster_id"]  # the person gave no account id
    result = CliRunner().invoke(_cli(), ["verify", str(kit)])
    assert result.exit_code == 0, result.output
    # nothing was kept: no evidence row, no file under the data folder
    assert db.scalar(select(func.count()).select_from(EvidenceItemRow)) == before
    kept = [
        p
        for p in (Path(settings.data_dir) / "evidence").rglob("*")
        if p.is_file() and "signing" not in p.parts
    ]
    assert kept == []


def _rezip(src: Path, dst: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for name in old.namelist():
            new.writestr(name, change.get(name, old.read(name)))


def test_verify_rejects_a_flipped_byte_an_added_file_and_a_damaged_zip(client: Any, tmp_path: Path) -> None:
    kit = tmp_path / "kit.zip"
    kit.write_bytes(seal(client).content)
    with zipfile.ZipFile(kit) as archive:
        shot = bytearray(archive.read("files/01-shot_1.png"))
    shot[60] ^= 0x01
    flipped = tmp_path / "flipped.zip"
    _rezip(kit, flipped, {"files/01-shot_1.png": bytes(shot)})
    result = CliRunner().invoke(_cli(), ["verify", str(flipped)])
    assert result.exit_code == 1 and "files/01-shot_1.png" in result.output and "SHA-256" in result.output

    added = tmp_path / "added.zip"
    _rezip(kit, added, {})
    with zipfile.ZipFile(added, "a") as archive:
        archive.writestr("files/03-extra.png", png((0, 0, 255)))
    result = CliRunner().invoke(_cli(), ["verify", str(added)])
    assert result.exit_code == 1 and "files/03-extra.png" in result.output

    raw = bytearray(kit.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # a byte of the ZIP itself (compressed data)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(raw))
    result = CliRunner().invoke(_cli(), ["verify", str(damaged)])
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("data", "files", "field", "words"),
    [
        ({**FORM, "url": ""}, None, "url", "URLを入力"),
        ({**FORM, "url": "javascript:alert(1)"}, None, "url", "https://"),
        (FORM, [], "files", "1つ以上"),
        (FORM, [("files", ("notes.txt", b"hello", "text/plain"))], "files", "notes.txt"),
        ({**FORM, "seen_at": "yesterday"}, None, "seen_at", "2026-04-01 15:30"),
        ({**FORM, "seen_at": "2099-01-01T00:00"}, None, "seen_at", "未来"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_the_values_are_kept(
    client: Any, data: dict[str, str], files: Any, field: str, words: str
) -> None:
    answer = seal(client, data, files=files)
    assert answer.status_code in (413, 422) and answer.headers["content-type"].startswith("text/html")
    assert f'id="{field}-error"' in answer.text and words in answer.text
    if data.get("url", "").startswith("https"):
        assert f'value="{data["url"]}"' in answer.text


def test_english_errors_are_english(client: Any) -> None:
    answer = seal(client, {**FORM, "url": ""}, lang="en")
    assert "Enter the address (URL)" in answer.text


def test_too_many_files_are_refused(client: Any) -> None:
    many = [("files", (f"s{i}.png", png(), "image/png")) for i in range(11)]
    answer = seal(client, files=many)
    assert answer.status_code == 422 and "10" in answer.text


def test_the_server_capture_is_off_unless_the_operator_enables_it(client: Any) -> None:
    assert "/evidence/kit/capture" not in client.get("/evidence/kit").text
    answer = client.post(
        "/evidence/kit/capture",
        data={"url": "https://example.jp/", "csrf_token": csrf(client)},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 404


def test_the_kit_is_rate_limited_per_address(client: Any, settings: Settings) -> None:
    token = csrf(client)
    codes = [
        client.post("/evidence/kit", data={**FORM, "csrf_token": token}, files=FILES).status_code
        for _ in range(settings.evidence_kit_rate_limit_per_minute + 1)
    ]
    assert codes[:-1] == [200] * settings.evidence_kit_rate_limit_per_minute and codes[-1] == 429
