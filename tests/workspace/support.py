"""Test data for the workspace, inquiry and appeals tests (TEST FIXTURES, not demo data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.criteria import service as criteria
from mamori.requests import service as requests
from mamori.requests.store import ServiceRow

SYSTEM = Actor.system()
PASSWORD = "a long enough staff password"
EPOCH = dt.datetime(2026, 1, 1, tzinfo=JST)


def board(db: Session, slug: str = "board") -> ServiceRow:
    row = ServiceRow(slug=slug, name_ja="掲示板", name_en="Board", created_at=EPOCH)
    db.add(row)
    db.flush()
    return row


def published_criteria(db: Session, version: str = "2026.1", at: dt.datetime = EPOCH) -> str:
    clauses = [
        criteria.DraftClause(
            code="2.1",
            title_ja="社会的評価を低下させる投稿",
            title_en="Posts lowering a person's standing",
            text_ja="特定の個人の社会的評価を低下させる投稿は削除します。",
            text_en="We remove posts lowering an identifiable person's standing.",
            applies_to=["request", "own_detection"],
            measures=["remove", "restrict_visibility"],
            reason_template_ja="特定の個人の社会的評価を低下させる内容であるため。",
            reason_template_en="It lowers an identifiable person's standing.",
        )
    ]
    criteria.create_draft(version, at, clauses, db=db, at=at, by=SYSTEM)
    criteria.publish(version, db=db, at=at, by=SYSTEM)
    return version


def staff(db: Session, email: str, roles: list[str], name: str = "担当者") -> auth.UserRow:
    return auth.create_user(email, name, roles, PASSWORD, db=db, at=EPOCH, by=SYSTEM)


def request_form(**over: Any) -> requests.RequestForm:
    fields: dict[str, Any] = {
        "service": "board",
        "content_url": "https://board.example/t/1#5",
        "content_text": "佐藤一郎は詐欺師だ",
        "rights": ["名誉権"],
        "reason": "詐欺の事実はなく、取引先に知られて信用を失いました。",
        "requester": requests.Requester("佐藤一郎", "大阪府大阪市1-2-3", "ichiro@example.jp", "06-1234-5678"),
        "show_name_to_poster": False,
        "declaration_true": True,
        "source": "web",
    }
    fields.update(over)
    return requests.RequestForm(**fields)


def file(db: Session, settings: Settings, at: dt.datetime, **over: Any) -> str:
    """File a request; returns the case id."""
    return requests.file_request(request_form(**over), db=db, settings=settings, at=at, by=SYSTEM).case_id


def with_poster(db: Session, settings: Settings, case_id: str, at: dt.datetime) -> None:
    requests.record_poster(
        case_id,
        requests.Poster("acct-42", "poster@example.org", "投稿者"),
        db=db,
        settings=settings,
        at=at,
        by=SYSTEM,
    )
