"""Sending the inquiry, the poster's single-use answer, and the sweep that closes the window."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.inquiry import service
from mamori.inquiry.model import Answer, InquiryStatus
from mamori.notices import service as notices
from mamori.notices.store import NoticeRow, for_case
from mamori.requests import service as requests
from tests.workspace import support

BY = Actor("user:specialist", frozenset({"specialist"}))


def sent(db: Session, notice_id: str, at: dt.datetime) -> None:
    row = db.get(NoticeRow, notice_id)
    assert row is not None
    row.status, row.sent_at = "sent", at


def setup(db: Session, settings: Settings, clock: FixedClock, **over: object) -> str:
    support.board(db)
    case_id = support.file(db, settings, clock.now(), **over)
    support.with_poster(db, settings, case_id, clock.now())
    return case_id


def test_inquiry_shows_the_requester_name_only_when_allowed(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    hidden = setup(db, settings, clock)
    row = service.send_inquiry(
        hidden, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY
    )
    body = notices.body_of(db.get(NoticeRow, row.notice_id), requests.sealer_for(settings))  # type: ignore[arg-type]
    assert "佐藤一郎は詐欺師だ" in body and "申出者: 佐藤一郎" not in body
    shown = support.file(
        db, settings, clock.now(), content_url="https://board.example/t/2", show_name_to_poster=True
    )
    support.with_poster(db, settings, shown, clock.now())
    row = service.send_inquiry(
        shown, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY
    )
    body = notices.body_of(db.get(NoticeRow, row.notice_id), requests.sealer_for(settings))  # type: ignore[arg-type]
    assert "申出者: 佐藤一郎" in body


def test_starting_an_inquiry_tells_the_requester_we_are_hearing_the_poster(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = setup(db, settings, clock)
    service.send_inquiry(case_id, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY)
    kinds = [(n.kind, n.recipient) for n in for_case(db, case_id)]
    assert ("sender_inquiry", "poster") in kinds and ("requester_interim", "requester") in kinds
    assert requests.get_case_row(db, case_id).stage == "extended"


def test_window_starts_on_delivery_and_lapses_without_objection(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = setup(db, settings, clock)
    row = service.send_inquiry(
        case_id, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY
    )
    later = dt.datetime(2026, 4, 30, tzinfo=JST)
    assert service.sweep_inquiries(db=db, now=later, settings=settings) == []  # not delivered: not started
    delivered = dt.datetime(2026, 4, 1, 23, 59, tzinfo=JST)
    sent(db, row.notice_id, delivered)
    assert (
        service.sweep_inquiries(db=db, now=dt.datetime(2026, 4, 8, 23, 59, tzinfo=JST), settings=settings)
        == []
    )
    assert row.ends_at == dt.datetime(2026, 4, 8, 23, 59, 59, 999999, tzinfo=JST)
    closed = service.sweep_inquiries(db=db, now=dt.datetime(2026, 4, 9, 0, 0, tzinfo=JST), settings=settings)
    assert closed == [requests.get_case_row(db, case_id).receipt_number]
    assert row.status == InquiryStatus.LAPSED
    assert service.marks_for(db, [case_id]) == {case_id: ["no_objection_in_window"]}


def test_election_rule_gives_two_days(db: Session, settings: Settings, clock: FixedClock) -> None:
    case_id = setup(db, settings, clock)
    claim = service.ElectionClaim(candidate_request=True, election_material=True, during_campaign=True)
    row = service.send_inquiry(case_id, claim, db=db, settings=settings, at=clock.now(), by=BY)
    sent(db, row.notice_id, dt.datetime(2026, 4, 1, 12, tzinfo=JST))
    service.sweep_inquiries(db=db, now=dt.datetime(2026, 4, 2, tzinfo=JST), settings=settings)
    assert row.window_days == 2 and row.election_rule
    assert row.ends_at == dt.datetime(2026, 4, 3, 23, 59, 59, 999999, tzinfo=JST)


def test_the_answer_link_works_once(db: Session, settings: Settings, clock: FixedClock) -> None:
    case_id = setup(db, settings, clock)
    service.send_inquiry(case_id, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY)
    body = next(n for n in for_case(db, case_id) if n.kind == "sender_inquiry")
    text = notices.body_of(body, requests.sealer_for(settings))
    token = text.split("/inquiry/answer/")[1].split()[0]
    with pytest.raises(DomainError) as no_reason:
        service.answer(token, Answer.OBJECT, "", db=db, at=clock.now())
    assert no_reason.value.code == "reason_required"
    row = service.answer(token, Answer.OBJECT, "公益目的の論評です。", db=db, at=clock.now())
    assert row.status == InquiryStatus.OBJECTED and row.received_at == clock.now()
    with pytest.raises(DomainError) as again:
        service.answer(token, Answer.CONSENT, "", db=db, at=clock.now())
    assert again.value.status == 404
