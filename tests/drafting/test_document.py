"""The text to paste carries every field of the form, and only the options chosen."""

from __future__ import annotations

import datetime as dt

from mamori.core.clock import JST
from mamori.drafting.reading import read_deletion, read_disclosure
from mamori.drafting.service import OutputFormat, produce
from tests.drafting.factories import deletion_data, disclosure_data

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)


def test_deletion_text_has_the_form_fields_and_evidence_hashes() -> None:
    data = deletion_data()
    out = produce(read_deletion(data), OutputFormat.TEXT, at=AT)
    text = out.content.decode("utf-8")
    assert out.file_name == "deletion-request-20260401.txt"
    assert text.startswith("侵害情報の通知書 兼 送信防止措置に関する照会書")
    assert "株式会社サンプルSNS 御中" in text and "2026年4月1日" in text
    assert data["content_url"] in text and data["content_text"] in text
    assert "・名誉権" in text and "・プライバシー" in text and "肖像権" not in text
    assert "発信者に氏名を開示することには同意しません。" in text
    assert "そのまま通知されることに同意" in text
    for item in data["evidence"]:
        assert f"SHA-256: {item['sha256']}" in text


def test_disclosure_text_states_purpose_items_withheld_and_responsibility() -> None:
    data = disclosure_data(
        provider_kind="access", ip_address="203.0.113.7", port=50123, sent_at="2026-03-30T12:05:09+00:00"
    )
    text = produce(read_disclosure(data), OutputFormat.TEXT, at=AT).content.decode("utf-8")
    assert text.startswith("発信者情報開示請求書")
    assert "IPアドレス: 203.0.113.7" in text and "ポート番号: 50123" in text
    assert "2026-03-30 21:05:09（日本時間）" in text  # shown in JST
    assert "・損害賠償請求権の行使のため" in text
    assert "・発信者の氏名又は名称" in text
    assert "【発信者に示したくない私の情報】\n・請求者の住所\n・請求者の連絡先" in text
    assert "私が責任をもって対処いたします" in text


def test_nothing_withheld_is_said_plainly() -> None:
    text = produce(read_disclosure(disclosure_data(withheld_from_poster=[])), OutputFormat.TEXT, at=AT)
    assert "なし（すべて示して差し支えありません）" in text.content.decode("utf-8")
