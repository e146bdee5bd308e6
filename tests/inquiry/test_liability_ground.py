"""情プラ法 Art. 3(2): while the poster's inquiry window is open (or after they objected) a removal rests on
reasonable grounds (i), which must be recorded; the window always has an end once the poster has the
inquiry, even when they answer before its delivery was recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.inquiry import model, service
from mamori.inquiry.model import Answer
from mamori.requests import service as requests
from tests.workspace import support

BY = Actor("user:specialist", frozenset({"specialist"}))
REASON = "事実を摘示して社会的評価を低下させる投稿であり、削除基準に当たります。"
GROUND = "判決書の写しが提出され、投稿の摘示事実が虚偽であることが明らかであるため。"


def case_with_inquiry(db: Session, settings: Settings, clock: FixedClock) -> tuple[str, str]:
    support.board(db)
    support.published_criteria(db)
    case_id = support.file(db, settings, clock.now())
    support.with_poster(db, settings, case_id, clock.now())
    row = service.send_inquiry(
        case_id, service.ElectionClaim(), db=db, settings=settings, at=clock.now(), by=BY
    )
    token = model.new_answer_token()
    row.token_hash = model.token_digest(token)  # the answer link, as the poster would get it by mail
    return case_id, token


def remove(db: Session, settings: Settings, case_id: str, at: dt.datetime, ground: str | None) -> object:
    return decisions.decide(
        case_id,
        decisions.DecisionInput(Measure.REMOVE, "2026.1", "2.1", REASON, ground),
        db=db,
        settings=settings,
        at=at,
        by=BY,
    )


def test_a_removal_during_the_window_needs_and_records_the_other_ground(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _ = case_with_inquiry(db, settings, clock)
    with pytest.raises(DomainError) as refused:
        remove(db, settings, case_id, clock.now(), None)
    assert refused.value.code == "liability_ground_required" and refused.value.field == "liability_ground"
    assert "3(2)(i)" in refused.value.en and "3条2項1号" in refused.value.ja
    assert decisions.decisions_for(db, case_id) == []
    remove(db, settings, case_id, clock.now(), GROUND)
    (decision,) = decisions.decisions_for(db, case_id)
    assert decision.liability_ground == GROUND


def test_after_the_poster_objected_a_removal_needs_the_ground_and_after_consent_it_does_not(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, token = case_with_inquiry(db, settings, clock)
    service.answer(token, Answer.OBJECT, "事実に基づく論評であり削除に同意しません。", db=db, at=clock.now())
    with pytest.raises(DomainError):
        remove(db, settings, case_id, clock.now(), None)
    assert requests.get_case_row(db, case_id).inquiry_state == "objected"


def test_no_ground_is_needed_once_the_window_ended_without_objection(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, token = case_with_inquiry(db, settings, clock)
    service.answer(token, Answer.CONSENT, "", db=db, at=clock.now())
    remove(db, settings, case_id, clock.now(), None)  # consent: no other ground needed


def test_a_poster_who_answers_before_delivery_was_recorded_still_has_a_window_end(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, token = case_with_inquiry(db, settings, clock)
    answered_at = dt.datetime(2026, 4, 1, 15, 0, tzinfo=JST)
    row = service.answer(token, Answer.OBJECT, "同意しません。事実ではありません。", db=db, at=answered_at)
    assert row.received_at == answered_at
    assert row.ends_at == model.window_ends_at(answered_at, row.window_days)
    assert requests.get_case_row(db, case_id).inquiry_window_ends_at == row.ends_at
