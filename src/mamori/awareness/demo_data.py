"""Demo data for awareness (【デモ】/ DEMO): a coordinator, two instructors, lecture requests in every
state, and two weeks of prompt counts for the demo board. No mail is queued."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.awareness import service
from mamori.awareness.model import LectureStatus, jst_day
from mamori.awareness.store import LectureRequestRow, PromptCountRow
from mamori.core import auth
from mamori.core.audit import Actor

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 (demo accounts, printed on screen)
COORDINATOR = "coordinator@demo.example.com"
INSTRUCTORS = (
    ("instructor@demo.example.com", "【デモ】講師 田中", "13", ["bullying", "defamation", "privacy"]),
    ("instructor2@demo.example.com", "【デモ】講師 中村", "27", ["bullying", "fraud", "images"]),
)
SYSTEM = Actor("cli:demo")


def _request(
    db: Session, at: dt.datetime, name: str, pref: str, audience: str, size: int, topics: str, day: dt.date
) -> LectureRequestRow:
    row = LectureRequestRow(
        created_at=at,
        status=LectureStatus.REQUESTED.value,
        organisation=name,
        prefecture=pref,
        city="【デモ】市",
        audience=audience,
        audience_size=size,
        topics=topics,
        date_options=f"{day.isoformat()},{(day + dt.timedelta(days=1)).isoformat()}",
        contact_name="【デモ】担当者",
        contact_email="school@demo.example.com",
        contact_phone="",
        lang="ja",
        message="",
    )
    db.add(row)
    db.flush()
    return row


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    """Load the awareness demo data once; returns lines to print."""
    if db.scalar(select(auth.UserRow).where(auth.UserRow.email == COORDINATOR)) is not None:
        return ["awareness demo data is already loaded (【デモ】/ DEMO)"]
    year_ago = at - dt.timedelta(days=365)
    coordinator = auth.create_user(
        COORDINATOR, "【デモ】調整担当", ["coordinator"], DEMO_PASSWORD, db=db, at=year_ago, by=SYSTEM
    ).actor()
    instructors = []
    for email, name, pref, topics in INSTRUCTORS:
        instructors.append(
            service.create_instructor(
                email=email,
                name=name,
                password=DEMO_PASSWORD,
                prefecture=pref,
                topics=topics,
                weekdays=["0", "1", "2", "3", "4"],
                db=db,
                at=year_ago,
                by=coordinator,
            )
        )
    today = jst_day(at)
    monday = today + dt.timedelta(days=7 - today.weekday())  # a weekday everyone teaches, ahead
    past = today - dt.timedelta(days=30 + today.weekday())  # a Monday a month ago
    _request(db, at, "【デモ】みなと中学校", "13", "junior_high", 120, "bullying,defamation", monday)
    matched = _request(db, at, "【デモ】なにわ小学校 PTA", "27", "parents", 60, "bullying,images", monday)
    matched.status, matched.instructor_id, matched.lecture_date = (
        LectureStatus.MATCHED.value,
        instructors[1].id,
        monday,
    )
    for org, where, audience, size, attended, themes, who in (
        ("【デモ】しながわ高校", "13", "high_school", 240, 231, "defamation,privacy", 0),
        ("【デモ】さかい中学校", "27", "junior_high", 90, 88, "bullying,fraud", 1),
    ):
        done = _request(db, year_ago, org, where, audience, size, themes, past)
        done.status, done.instructor_id, done.lecture_date = (
            LectureStatus.DONE.value,
            instructors[who].id,
            past,
        )
        done.attendance, done.report, done.reported_at = attended, "【デモ】質問が多く出た。", at
    for offset in range(14):
        day = today - dt.timedelta(days=offset)
        for kind, count in (("shown", 20 + offset % 5), ("edited", 7 + offset % 3), ("posted_anyway", 9)):
            db.add(PromptCountRow(day=day, site="demo-board", kind=kind, count=count))
    db.flush()
    return [
        "loaded awareness DEMO data: 1 coordinator, 2 instructors, 4 lecture requests, 14 days of prompt counts",
        f"  demo account {COORDINATOR} / {DEMO_PASSWORD} (coordinator)",
        *[f"  demo account {email} / {DEMO_PASSWORD} (instructor)" for email, *_ in INSTRUCTORS],
    ]
