"""The periods of an objection: a side objects within MAMORI_APPEAL_FILING_DAYS of the *delivery* of the
decision's notice to it, and another specialist rules within MAMORI_APPEAL_RULING_DAYS of the objection.

Run on both databases with the real outbox against the test SMTP server, which refuses on demand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mamori.appeals import service
from mamori.appeals.model import Side
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.criteria.model import Measure
from mamori.notices import service as notices
from mamori.notices.model import NoticeStatus
from mamori.notices.store import NoticeRow
from mamori.requests import service as requests
from mamori.worker import deliver_due
from tests.appeals.conftest import Delivered
from tests.appeals.support import REQUESTER_OBJECTION, SECOND, UPHELD, choice, decide, file
from tests.support.smtp import MailSink


def jst(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=JST)


def state(
    db: Session, settings: Settings, clock: FixedClock, case_id: str, side: Side
) -> service.AppealState:
    return service.state_for(
        requests.get_case_row(db, case_id), side, db=db, settings=settings, now=clock.now()
    )


def notice_of(db: Session, case_id: str, kind: str) -> NoticeRow:
    rows = [n for n in notices.for_case(db, case_id) if n.kind == kind]
    assert len(rows) == 1, rows
    return rows[0]


def test_an_objection_on_the_last_day_is_accepted(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)  # 1 April 10:00 JST
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()  # the Art. 27 notice reaches the poster on 2 April
    period = state(db, settings, clock, case_id, Side.POSTER).filing
    assert period is not None and period.days == settings.appeal_filing_days == 14
    assert period.starts_at == jst(2026, 4, 2, 15, 0)
    assert period.due_at == jst(2026, 4, 16, 23, 59, 59, 999999)  # 3..16 April: the 2nd is not counted
    clock.set(jst(2026, 4, 16, 22, 0))
    file(db, settings, clock, case_id, Side.POSTER)  # 23:00 on the last day
    assert service.open_appeal(case_id, db=db) is not None


def test_an_objection_the_day_after_the_last_day_is_refused_naming_the_date(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()
    clock.set(jst(2026, 4, 16, 23, 30))
    with pytest.raises(DomainError) as late:
        file(db, settings, clock, case_id, Side.POSTER)  # 17 April 00:30 JST
    assert late.value.code == "appeal_period_over" and late.value.status == 409
    assert "2026年4月16日" in late.value.ja and "2026-04-16" in late.value.en
    assert "JST" in late.value.en and "日本時間" in late.value.ja
    assert service.open_appeal(case_id, db=db) is None
    now = state(db, settings, clock, case_id, Side.POSTER)
    assert not now.may_appeal and now.filing is not None and now.filing.due_at is not None


def test_the_period_is_a_setting(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    deliver()  # 1 April 10:00: the requester's decision notice
    three_days = settings.model_copy(update={"appeal_filing_days": 3})
    clock.set(jst(2026, 4, 4, 23, 0))
    assert state(db, three_days, clock, case_id, Side.REQUESTER).may_appeal
    clock.set(jst(2026, 4, 5, 0, 0))
    assert not state(db, three_days, clock, case_id, Side.REQUESTER).may_appeal
    with pytest.raises(DomainError) as late:
        file(db, three_days, clock, case_id, Side.REQUESTER, REQUESTER_OBJECTION)
    assert late.value.code == "appeal_period_over" and "2026年4月4日" in late.value.ja


def test_a_notice_still_pending_does_not_start_the_period(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    mail: MailSink,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)  # 1 April
    mail.refuse = True
    deliver()
    assert notice_of(db, case_id, "poster_measure").status == NoticeStatus.PENDING
    clock.set(jst(2026, 4, 20, 12, 0))  # past 14 days from the decision
    waiting = state(db, settings, clock, case_id, Side.POSTER)
    assert waiting.may_appeal and waiting.filing is not None
    assert waiting.filing.starts_at is None and waiting.filing.due_at is None
    mail.refuse = False
    deliver()  # delivered on 20 April: the 14 days run from here
    told = state(db, settings, clock, case_id, Side.POSTER).filing
    assert told is not None and told.starts_at == jst(2026, 4, 20, 12, 0)
    assert told.due_at == jst(2026, 5, 4, 23, 59, 59, 999999)
    clock.set(jst(2026, 5, 4, 12, 0))
    file(db, settings, clock, case_id, Side.POSTER)
    assert service.open_appeal(case_id, db=db) is not None


def test_a_notice_that_failed_does_not_start_the_period(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    mail: MailSink,
    session_factory: sessionmaker[Session],
    decided: tuple[str, Measure],
) -> None:
    case_id, _ = decided
    once = settings.model_copy(update={"outbox_max_attempts": 1})
    decide(db, once, clock, case_id, Measure.NO_ACTION)
    mail.refuse = True
    deliver_due(session_factory, once, clock)
    assert notice_of(db, case_id, "requester_decision").status == NoticeStatus.FAILED
    clock.set(jst(2026, 6, 1, 12, 0))  # two months later: the requester was never told
    waiting = state(db, once, clock, case_id, Side.REQUESTER)
    assert waiting.may_appeal and waiting.filing is not None and waiting.filing.due_at is None
    # staff put it back in the queue and it goes out: the period starts at that delivery
    notices.retry(notice_of(db, case_id, "requester_decision").id, db=db, at=clock.now())
    db.flush()
    mail.refuse = False
    deliver_due(session_factory, once, clock)
    told = state(db, once, clock, case_id, Side.REQUESTER).filing
    assert told is not None and told.due_at == jst(2026, 6, 15, 23, 59, 59, 999999)


def test_the_side_with_nothing_to_object_to_has_no_period(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    assert state(db, settings, clock, case_id, Side.POSTER).filing is None  # nothing decided yet
    decide(db, settings, clock, case_id, Measure.REMOVE)
    deliver()
    assert state(db, settings, clock, case_id, Side.REQUESTER).filing is None  # removed: nothing to object to


def test_an_open_objection_is_ruled_within_the_ruling_period(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    assert service.ruling_due(case_id, db=db, settings=settings, now=clock.now()) is None
    decide(db, settings, clock, case_id, Measure.REMOVE)
    deliver()
    clock.set(jst(2026, 4, 10, 10, 0))
    file(db, settings, clock, case_id, Side.POSTER)  # 10 April 11:00
    due = service.ruling_due(case_id, db=db, settings=settings, now=clock.now())
    assert due is not None and due.side == "poster" and due.filed_at == jst(2026, 4, 10, 11, 0)
    assert due.due_at == jst(2026, 4, 24, 23, 59, 59, 999999) and not due.late and not due.due_soon
    clock.set(jst(2026, 4, 23, 12, 0))
    soon = service.ruling_due(case_id, db=db, settings=settings, now=clock.now())
    assert soon is not None and soon.due_soon and not soon.late  # within MAMORI_DUE_SOON_HOURS
    clock.set(jst(2026, 4, 25, 0, 0))
    late = service.ruling_due(case_id, db=db, settings=settings, now=clock.now())
    assert late is not None and late.late
    assert service.rulings_due([case_id, "no-such-case"], db=db, settings=settings, now=clock.now()) == {
        case_id: late
    }
    # the side that objected sees when the ruling is due
    mine = state(db, settings, clock, case_id, Side.POSTER).ruling
    assert mine is not None and mine.due_at == late.due_at
    service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    assert service.ruling_due(case_id, db=db, settings=settings, now=clock.now()) is None
    ruled = state(db, settings, clock, case_id, Side.POSTER).ruling
    assert ruled is not None and ruled.ruled_at == clock.now() and ruled.late  # ruled a moment too late


def test_the_ruling_period_is_a_setting(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    deliver()
    file(db, settings, clock, case_id, Side.REQUESTER, REQUESTER_OBJECTION)  # 1 April 11:00
    week = settings.model_copy(update={"appeal_ruling_days": 7})
    due = service.ruling_due(case_id, db=db, settings=week, now=clock.now())
    assert due is not None and due.due_at == jst(2026, 4, 8, 23, 59, 59, 999999)


def test_a_notice_written_before_notices_named_their_decision_is_found_by_its_time(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    notice_of(db, case_id, "poster_measure").ref = None  # as rows from before the `ref` column
    db.flush()
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()
    period = state(db, settings, clock, case_id, Side.POSTER).filing
    assert period is not None and period.starts_at == jst(2026, 4, 2, 15, 0)
