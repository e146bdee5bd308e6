"""Test data for awareness (TEST DATA: invented schools, people and addresses)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from mamori.awareness import service
from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST

PASSWORD = "correct horse battery staple"
EPOCH = dt.datetime(2026, 1, 1, tzinfo=JST)


def coordinator(db: Session, email: str = "") -> Actor:
    email = email or f"coord-{uuid.uuid4().hex[:8]}@caravan.test"
    return auth.create_user(
        email, "調整 担当", ["coordinator"], PASSWORD, db=db, at=EPOCH, by=Actor.system()
    ).actor()


def instructor(
    db: Session,
    by: Actor,
    email: str,
    *,
    prefecture: str = "13",
    topics: tuple[str, ...] = ("bullying",),
    weekdays: tuple[str, ...] = ("0", "1", "2", "3", "4"),
    name: str = "講師",
) -> tuple[service.InstructorRow, Actor]:
    row = service.create_instructor(
        email=email,
        name=name,
        password=PASSWORD,
        prefecture=prefecture,
        topics=list(topics),
        weekdays=list(weekdays),
        db=db,
        at=EPOCH,
        by=by,
    )
    user = db.get(auth.UserRow, row.user_id)
    assert user is not None
    return row, user.actor()


def request_form(**over: Any) -> service.LectureRequestForm:
    values: dict[str, Any] = {
        "organisation": "みなと区立テスト中学校",
        "prefecture": "13",
        "city": "港区",
        "audience": "junior_high",
        "audience_size": "120",
        "topics": ["bullying", "defamation"],
        "dates": ["2026-05-12", "2026-05-16"],  # a Tuesday and a Saturday
        "contact_name": "山田 花子",
        "contact_email": "yamada@school.test",
        "contact_phone": "03-1234-5678",
    }
    values.update(over)
    return service.LectureRequestForm(**values)
