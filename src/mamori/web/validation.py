"""Pydantic validation errors as a message per field, in Japanese and English.

Both languages are sentences a person can act on: Pydantic's own English ("List should have at least
1 item after validation, not 0") is replaced by the sentence for its error type; a validator's own
"日本語 / English" message is used as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Japanese for pydantic's error types; anything else falls back to a generic sentence plus the English.
JA_BY_TYPE = {
    "missing": "入力してください。",
    "string_too_short": "入力してください。",
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

# English for the same types, so an English reader never sees Pydantic's wording.
EN_BY_TYPE = {
    "missing": "Fill in this field.",
    "string_too_short": "Fill in this field.",
    "string_too_long": "Too long; make it shorter.",
    "too_long": "Too many; remove some.",
    "bool_type": "Give true or false.",
    "bool_parsing": "Give true or false.",
    "list_type": "Give a list.",
    "string_type": "Give text.",
    "string_unicode": "The text contains broken characters (such as a lone surrogate); type that part again.",
    "too_short": "Choose at least one.",
    "url_parsing": "This is not a complete URL; enter it in the form https://….",
    "url_scheme": "Enter an http or https URL.",
    "value_error": "This value is not valid; check it.",
    "literal_error": "Choose one of the values offered.",
    "enum": "Choose one of the values offered.",
    "extra_forbidden": "This field is not accepted; remove it.",
    "json_invalid": "This cannot be read as JSON.",
    "model_type": "Give an object ({...}).",
    "dict_type": "Give an object ({...}).",
    "int_parsing": "Give a whole number.",
    "datetime_parsing": "Give the date and time in ISO 8601 (e.g. 2026-04-01T09:00:00+09:00).",
}


def field_path(loc: Sequence[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form")]
    return ".".join(parts)


def _ja_with_limit(kind: str, ctx: Any) -> str | None:
    """Length errors name the limit, so a person knows how much to cut."""
    least = ctx.get("min_length") if isinstance(ctx, dict) else None
    if kind == "string_too_short" and least is not None and int(least) > 1:
        return f"短すぎます。{int(least):,} 文字以上にしてください。"
    limit = ctx.get("max_length") if isinstance(ctx, dict) else None
    if limit is None:
        return None
    if kind == "string_too_long":
        return f"長すぎます。{int(limit):,} 文字以内にしてください。"
    if kind == "too_long":
        return f"多すぎます。{int(limit):,} 個以内にしてください。"
    return None


def _en_with_limit(kind: str, ctx: Any) -> str | None:
    least = ctx.get("min_length") if isinstance(ctx, dict) else None
    if kind == "string_too_short" and least is not None and int(least) > 1:
        return f"Too short; use at least {int(least):,} characters."
    limit = ctx.get("max_length") if isinstance(ctx, dict) else None
    if limit is None:
        return None
    if kind == "string_too_long":
        return f"Too long; use at most {int(limit):,} characters."
    if kind == "too_long":
        return f"Too many; give at most {int(limit):,}."
    return None


def validation_error_body(errors: Sequence[Any]) -> dict[str, Any]:
    detail = []
    for err in errors:
        ctx = err.get("ctx") or {}
        custom_ja = ctx.get("ja") if isinstance(ctx, dict) else None
        message_en = str(err.get("msg", "invalid value"))
        if message_en.startswith("Value error, "):
            message_en = message_en[len("Value error, ") :]
        kind = err.get("type", "")
        if custom_ja is None and " / " in message_en and kind == "value_error":
            # our validators raise "日本語 / English"
            custom_ja, message_en = message_en.split(" / ", 1)
        elif custom_ja is None:
            # Pydantic's own wording: the sentence for its type (the limit named where there is one)
            # (a validator's own English, kind value_error, says more than a generic sentence)
            generic = EN_BY_TYPE.get(kind) if kind != "value_error" else None
            message_en = _en_with_limit(kind, ctx) or generic or message_en
        known = _ja_with_limit(kind, ctx) or JA_BY_TYPE.get(kind)
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
