"""e-ネットキャラバン lectures: request, suggested match confirmed by a person, mails, report, statistics."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.awareness import charts, service
from mamori.core.clock import JST, FixedClock
from mamori.core.errors import DomainError
from mamori.worker import deliver_due
from tests.awareness.factories import coordinator, instructor, request_form
from tests.support.smtp import body_text

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)


def uniq(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@caravan.test"


def test_a_request_with_every_field_wrong_names_each_field_in_both_languages(
    db: Session, settings: Any
) -> None:
    form = request_form(
        organisation="",
        prefecture="99",
        audience="aliens",
        audience_size="0",
        topics=["gossip"],
        dates=["2026-03-01"],
        contact_email="not-an-address",
    )
    with pytest.raises(DomainError) as caught:
        service.request_lecture(form, db=db, settings=settings, at=AT)
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        "organisation",
        "prefecture",
        "audience",
        "audience_size",
        "topics",
        "dates",
        "contact_email",
    }
    assert all(p.ja and p.en and p.ja != p.en for p in caught.value.problems)


def test_more_than_three_dates_are_refused(db: Session, settings: Any) -> None:
    form = request_form(dates=["2026-05-11", "2026-05-12", "2026-05-13", "2026-05-14"])
    with pytest.raises(DomainError) as caught:
        service.request_lecture(form, db=db, settings=settings, at=AT)
    assert [p.field for p in caught.value.problems] == ["dates"]


def test_suggestions_prefer_region_topics_and_a_free_date_over_load(db: Session, settings: Any) -> None:
    coord = coordinator(db)
    _near, _ = instructor(
        db, coord, uniq("near"), prefecture="13", topics=("bullying", "defamation"), name="近い"
    )
    _region, _ = instructor(db, coord, uniq("region"), prefecture="11", topics=("bullying",), name="同地方")
    instructor(db, coord, uniq("far"), prefecture="47", topics=("bullying",), name="遠い")
    instructor(db, coord, uniq("offtopic"), prefecture="13", topics=("fraud",), name="別テーマ")
    instructor(
        db, coord, uniq("weekend"), prefecture="13", topics=("bullying",), weekdays=("6",), name="日曜"
    )
    row = service.request_lecture(request_form(), db=db, settings=settings, at=AT)
    names = [s.instructor.name for s in service.suggestions(row, db=db, at=AT)]
    assert names[:3] == ["近い", "同地方", "遠い"]
    assert (
        "別テーマ" not in names and "日曜" not in names
    )  # no shared topic; not free on a Tuesday or Saturday


def test_the_whole_flow_mails_both_sides_and_counts_in_the_statistics(
    db: Session, settings: Any, session_factory: Any, mail: Any, clock: FixedClock
) -> None:
    coord = coordinator(db)
    ins_email = uniq("teacher")
    ins, ins_actor = instructor(db, coord, ins_email, topics=("bullying", "defamation"), name="講師 一郎")
    row = service.request_lecture(request_form(contact_email=uniq("school")), db=db, settings=settings, at=AT)
    service.match(
        row.id, instructor_id=ins.id, lecture_date="2026-05-12", db=db, settings=settings, at=AT, by=coord
    )
    db.flush()
    deliver_due(session_factory, settings, clock)
    mails = mail.wait_for(3)
    to_school = [m for m in mails if m["To"] == row.contact_email]
    to_instructor = [m for m in mails if m["To"] == ins_email]
    assert len(to_school) == 2 and len(to_instructor) == 1
    assert "2026-05-12" in body_text(to_instructor[0]) and row.contact_email in body_text(to_instructor[0])
    assert "講師 一郎" in body_text(next(m for m in to_school if "confirmed" in str(m["Subject"])))

    with pytest.raises(DomainError, match="not_yet_given"):
        service.record_report(row.id, attendance="110", report="よく聞いてくれた", db=db, at=AT, by=ins_actor)
    after = dt.datetime(2026, 5, 12, 17, 0, tzinfo=JST)
    _other, other_actor = instructor(db, coord, uniq("other"))
    with pytest.raises(DomainError) as refused:
        service.record_report(row.id, attendance="110", report="x", db=db, at=after, by=other_actor)
    assert refused.value.status == 403  # only the instructor matched to the lecture reports it
    before = service.lecture_statistics(db=db, year=2026)
    service.record_report(row.id, attendance="110", report="質問が多く出た。", db=db, at=after, by=ins_actor)
    stats = service.lecture_statistics(db=db, year=2026)

    def by_key(s: service.LectureStats, dimension: str, key: str) -> tuple[int, int]:
        return next(((n, p) for k, n, p in s.by[dimension] if k == key), (0, 0))

    assert (stats.lectures - before.lectures, stats.people - before.people) == (1, 110)
    for dimension, key in (
        ("year", "2026"),
        ("prefecture", "13"),
        ("audience", "junior_high"),
        ("topic", "bullying"),
        ("topic", "defamation"),
    ):
        now, was = by_key(stats, dimension, key), by_key(before, dimension, key)
        assert (now[0] - was[0], now[1] - was[1]) == (1, 110), (dimension, key)
    assert by_key(service.lecture_statistics(db=db, year=2025), "year", "2026") == (0, 0)
    csv_text = charts.statistics_csv(stats, "ja")
    assert csv_text.startswith("\ufeffdimension,key,label,lectures,people") and "東京都" in csv_text
    assert charts.statistics_chart(stats, "topic", "ja")[:4] == b"\x89PNG"


def test_a_request_is_matched_once_and_only_on_an_offered_date(db: Session, settings: Any) -> None:
    coord = coordinator(db)
    ins, ins_actor = instructor(db, coord, uniq("one"))
    row = service.request_lecture(request_form(), db=db, settings=settings, at=AT)
    with pytest.raises(DomainError, match="bad_date"):
        service.match(
            row.id, instructor_id=ins.id, lecture_date="2026-05-13", db=db, settings=settings, at=AT, by=coord
        )
    with pytest.raises(DomainError) as forbidden:
        service.match(
            row.id,
            instructor_id=ins.id,
            lecture_date="2026-05-12",
            db=db,
            settings=settings,
            at=AT,
            by=ins_actor,
        )
    assert forbidden.value.status == 403
    service.match(
        row.id, instructor_id=ins.id, lecture_date="2026-05-12", db=db, settings=settings, at=AT, by=coord
    )
    with pytest.raises(DomainError, match="already_matched"):
        service.match(
            row.id, instructor_id=ins.id, lecture_date="2026-05-16", db=db, settings=settings, at=AT, by=coord
        )


def test_an_instructor_sees_only_their_own_lectures(db: Session, settings: Any) -> None:
    coord = coordinator(db)
    mine, me = instructor(db, coord, uniq("me"))
    _other, other = instructor(db, coord, uniq("other"))
    row = service.request_lecture(request_form(), db=db, settings=settings, at=AT)
    service.match(
        row.id, instructor_id=mine.id, lecture_date="2026-05-12", db=db, settings=settings, at=AT, by=coord
    )
    assert service.read_request(row.id, db=db, actor=me, at=AT).id == row.id
    with pytest.raises(DomainError) as caught:
        service.read_request(row.id, db=db, actor=other, at=AT)
    assert caught.value.status == 403
