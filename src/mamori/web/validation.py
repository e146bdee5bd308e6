"""Pydantic validation errors as a message per field, in Japanese and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Japanese for pydantic's error types; anything else falls back to a generic sentence plus the English.
JA_BY_TYPE = {
    "missing": "入力してください。",
    "string_too_short": "短すぎます。入力してください。",
    "string_too_long": "長すぎます。短くしてください。",
    "bool_type": "true か false で指定してください。",
    "bool_parsing": "true か false で指定してください。",
    "list_type": "リストで指定してください。",
    "string_type": "文字列で指定してください。",
    "string_unicode": "壊れた文字 (対になっていないサロゲートなど) が含まれています。その部分を入力し直してください。",
    "too_short": "少なくとも一つ選んでください。",
    "url_parsing": "URL の形式が正しくありません (https://… の形で入力してください)。",
    "url_scheme": "http または https の URL を入力してください。",
    "value_error": "値が正しくありません。",
    "literal_error": "選べる値のどれかを指定してください。",
    "enum": "選べる値のどれかを指定してください。",
    "extra_forbidden": "この項目は受け付けていません。削除してください。",
    "json_invalid": "JSON として読めません。",
    "model_type": "オブジェクト ({...}) で指定してください。",
    "dict_type": "オブジェクト ({...}) で指定してください。",
    "int_parsing": "整数で指定してください。",
    "datetime_parsing": "日時を ISO 8601 (例: 2026-04-01T09:00:00+09:00) で指定してください。",
}


def field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts)


def _ja_with_limit(kind: str, ctx: Any) -> str | None:
    """Length errors name the limit, so a person knows how much to cut."""
    limit = ctx.get("max_length") if isinstance(ctx, dict) else None
    if limit is None:
        return None
    if kind == "string_too_long":
        return f"長すぎます。{int(limit):,} 文字以内にしてください。"
    if kind == "too_long":
        return f"多すぎます。{int(limit):,} 個以内にしてください。"
    return None


def validation_error_body(errors: Sequence[Any]) -> dict[str, Any]:
    detail = []
    for err in errors:
        ctx = err.get("ctx") or {}
        custom_ja = ctx.get("ja") if isinstance(ctx, dict) else None
        message_en = str(err.get("msg", "invalid value"))
        if message_en.startswith("Value error, "):
            message_en = message_en[len("Value error, ") :]
        if custom_ja is None and " / " in message_en and err.get("type") == "value_error":
            # our validators raise "日本語 / English"
            custom_ja, message_en = message_en.split(" / ", 1)
        known = _ja_with_limit(err.get("type", ""), ctx) or JA_BY_TYPE.get(err.get("type", ""))
        ja = custom_ja or known or f"値が正しくありません ({message_en})。"
        detail.append({"field": field_path(err.get("loc", ())), "message": {"ja": ja, "en": message_en}})
    return {
        "error": "validation_failed",
        "message": {
            "ja": "入力内容に誤りがあります。各項目を確認してください。",
            "en": "Some fields are invalid; see each field.",
        },
        "detail": detail,
    }
