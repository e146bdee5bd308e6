"""Factories for test data (TEST FIXTURES, not demo data): services, criteria, staff, requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.criteria import service as criteria
from mamori.requests.store import ServiceRow

SYSTEM = Actor.system()
STAFF_PASSWORD = "correct horse battery staple"


def make_service(db: Session, slug: str = "test-board", at: dt.datetime | None = None) -> ServiceRow:
    row = ServiceRow(
        slug=slug,
        name_ja="テスト掲示板",
        name_en="Test board",
        created_at=at or dt.datetime(2026, 1, 1, tzinfo=JST),
    )
    db.add(row)
    db.flush()
    return row


def clause(code: str = "2.1", **over: Any) -> criteria.DraftClause:
    fields: dict[str, Any] = {
        "code": code,
        "title_ja": "他人の社会的評価を低下させる投稿",
        "title_en": "Posts that lower a person's social standing",
        "text_ja": "特定の個人について事実を摘示し、その社会的評価を低下させる投稿は削除します。",
        "text_en": "We remove posts that state facts about an identifiable person lowering their standing.",
        "applies_to": ["request", "own_detection", "third_party"],
        "measures": ["remove", "restrict_visibility", "suspend_account"],
        "reason_template_ja": "特定の個人の社会的評価を低下させる内容であるため。",
        "reason_template_en": "The post lowers an identifiable person's social standing.",
    }
    fields.update(over)
    return criteria.DraftClause(**fields)


def make_criteria(
    db: Session,
    version: str = "2026.1",
    published: dt.datetime | None = None,
    effective: dt.datetime | None = None,
    clauses: list[criteria.DraftClause] | None = None,
) -> str:
    published = published or dt.datetime(2026, 1, 1, tzinfo=JST)
    effective = effective or published
    criteria.create_draft(
        version,
        effective,
        clauses or [clause("2.1"), clause("3.1", title_ja="侮辱的な投稿", title_en="Insulting posts")],
        db=db,
        at=published,
        by=SYSTEM,
    )
    criteria.publish(version, db=db, at=published, by=SYSTEM)
    db.flush()
    return version


def make_staff(db: Session, roles: list[str], email: str | None = None) -> tuple[auth.UserRow, str]:
    at = dt.datetime(2026, 1, 1, tzinfo=JST)
    user = auth.create_user(
        email or f"{'-'.join(roles)}@staff.example.com",
        "テスト担当",
        roles,
        STAFF_PASSWORD,
        db=db,
        at=at,
        by=SYSTEM,
    )
    token = auth.create_api_token(user, db=db, at=at, valid_for=None)
    db.flush()  # the app's sessions share this connection, and must see the account
    return user, token


def request_payload(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "service": "test-board",
        "content_url": "https://board.example/thread/1#p23",
        "content_text": "山田花子は会社の金を横領している犯罪者だ",
        "rights": ["名誉権"],
        "reason": "横領の事実はなく、勤務先にも知られ社会的評価が低下しました。",
        "requester": {
            "name": "山田花子",
            "address": "東京都千代田区1-1-1",
            "email": "hanako@example.com",
            "phone": "03-1234-5678",
        },
        "show_name_to_poster": False,
        "declaration_true": True,
    }
    body.update(over)
    return body
