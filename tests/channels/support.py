"""Test data for the trusted channels (TEST FIXTURES: invented bodies, posts and people)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from mamori.channels import service
from mamori.core.audit import Actor
from tests.workspace import support

ADMIN = Actor("user:admin", frozenset({"administrator"}))


def body(db: Session, at: dt.datetime, slug: str = "moj-tokyo", name: str = "東京法務局 人権擁護部") -> str:
    service.add_body(
        service.NewBody(
            slug, name, "legal_affairs_bureau", f"{slug}@bodies.example", "東京都千代田区九段南1-1-15"
        ),
        db=db,
        at=at,
        by=ADMIN,
    )
    return slug


def key(db: Session, at: dt.datetime, slug: str, scopes: Any = None, days: int = 30) -> tuple[str, str]:
    """(token, key id)"""
    kwargs = {"scopes": scopes} if scopes is not None else {}
    token, row = service.issue_key(slug, valid_days=days, db=db, at=at, by=ADMIN, **kwargs)
    return token, row.key_id


def request_json(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": "board",
        "content_url": "https://board.example/t/77#3",
        "content_text": "山田花子は万引きの常習犯だ",
        "rights": ["名誉権"],
        "reason": "相談者本人から申告があり、事実無根で社会的評価を低下させるものと判断しました。",
        "reference": "東法人第123号",
    }
    data.update(over)
    return data


def platform(db: Session) -> None:
    support.board(db)
    support.published_criteria(db)


def sign_in(client: Any, db: Session, user_id: str, at: dt.datetime) -> None:
    """A browser session for an existing account (cookie set on the test client)."""
    from mamori.core import auth

    user = db.get(auth.UserRow, user_id)
    assert user is not None
    token, _csrf = auth.start_session(user, db=db, at=at)
    db.flush()
    client.cookies.set("mamori_session", token)


def csrf(client: Any, page: str) -> str:
    client.get(page)
    return str(client.cookies.get("mamori_csrf")).split(".")[0]
