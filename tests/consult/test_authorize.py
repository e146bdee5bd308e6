"""authorize_record, object by object: mine, shared with me, someone else's, missing, erased."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from mamori.consult import service
from mamori.core.clock import FixedClock
from mamori.core.errors import Forbidden, NotFound
from tests.consult.factories import SECRET, consultation, staff


def test_my_own_record_may_be_read_and_changed(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    service.authorize_record(author, row.id, db=db)
    service.authorize_record(author, row.id, db=db, change=True)


def test_a_record_shared_with_me_may_be_read_and_changed(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    _, colleague = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    service.share(row.id, colleague.user_id, by=author, db=db, at=at, secret_key=SECRET)
    service.authorize_record(colleague, row.id, db=db)
    service.authorize_record(colleague, row.id, db=db, change=True)


def test_supervisors_read_every_record_recorded_while_they_supervise(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, supervisor = staff(db, "supervisor", at=at)
    _, author = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    service.authorize_record(supervisor, row.id, db=db, change=True)


def test_someone_elses_record_answers_exactly_as_a_missing_one(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    _, other = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    for change in (False, True):
        with pytest.raises(NotFound) as theirs:
            service.authorize_record(other, row.id, db=db, change=change)
        with pytest.raises(NotFound) as missing:
            service.authorize_record(other, "0" * 32, db=db, change=change)
        assert theirs.value.status == missing.value.status == 404
        assert theirs.value.as_json() == NotFound("consultation", row.id).as_json()


def test_an_auditor_reads_nothing_not_shared_and_changes_nothing(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    _, auditor = staff(db, "auditor", at=at)
    row = consultation(db, author, at=at)
    with pytest.raises(NotFound):
        service.authorize_record(auditor, row.id, db=db)
    # Even the author, stripped of consult.record, may only read.
    read_only = type(author)(author.user_id, author.email, author.display_name, frozenset({"auditor"}))
    service.authorize_record(read_only, row.id, db=db)
    with pytest.raises(Forbidden):
        service.authorize_record(read_only, row.id, db=db, change=True)


def test_an_erased_record_stays_with_its_author_and_the_managers(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, supervisor = staff(db, "supervisor", at=at)
    _, author = staff(db, "counsellor", at=at)
    _, other = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    service.honour_deletion_request(row.id, by=supervisor, db=db, at=at)
    service.authorize_record(author, row.id, db=db)
    service.authorize_record(supervisor, row.id, db=db)
    with pytest.raises(NotFound):
        service.authorize_record(other, row.id, db=db)
