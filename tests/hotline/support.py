"""Test data for the hotline desk (TEST FIXTURES: invented people and posts)."""

from __future__ import annotations

import uuid
from typing import Any

from mamori.core.audit import Actor
from mamori.hotline import service

DESK = Actor("user:desk", frozenset({"hotline_staff"}))
PUBLIC = Actor("public:127.0.0.1")


def unique_url(path: str = "p/100") -> str:
    """A post of its own: client tests really commit on SQLite, so no two tests share a post."""
    return f"https://sns-{uuid.uuid4().hex[:8]}.example/{path}"


def form(**over: Any) -> service.ReportForm:
    fields: dict[str, Any] = {
        "content_url": unique_url(),
        "content_text": "〇〇中学2年の山田はクラスの嫌われ者。みんな無視しよう",
        "harm": "insult",
        "filer": "self",
        "filer_name": "通報 太郎",
        "filer_email": f"taro-{uuid.uuid4().hex[:6]}@example.jp",
    }
    fields.update(over)
    return service.ReportForm(**fields)


def guardian(**over: Any) -> service.ReportForm:
    fields: dict[str, Any] = {
        "filer": "guardian",
        "relation": "母",
        "filer_name": "山田 良子",
        "filer_email": "yoshiko@example.jp",
        "child": True,
        "child_age": 13,
        "child_consent": True,
    }
    fields.update(over)
    return form(**fields)


def form_data(**over: Any) -> dict[str, str]:
    data = {
        "content_url": unique_url(),
        "content_text": "〇〇中学2年の山田はクラスの嫌われ者",
        "harm": "insult",
        "filer": "guardian",
        "relation": "母",
        "filer_name": "山田 良子",
        "filer_email": "yoshiko@example.jp",
        "child": "yes",
        "child_age": "13",
        "child_consent": "yes",
    }
    data.update(over)
    return data
