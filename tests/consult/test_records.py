"""Counsellors' records: sealed at rest, read only by those it is shared with, audited, erased on time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consult import service, store
from mamori.consult.model import Contact
from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from mamori.core.errors import DomainError
from tests.consult.factories import SECRET, consultation, staff


def test_content_is_stored_only_sealed(db: Session, clock: FixedClock) -> None:
    _, counsellor = staff(db, "counsellor", at=clock.now())
    row = consultation(
        db, counsellor, at=clock.now(), contact=Contact(name="山田花子", phone="090-1234-5678")
    )
    db.flush()
    raw = db.get(store.ConsultationRow, row.id)
    assert raw is not None and raw.sealed_content is not None
    assert "山田".encode() not in raw.sealed_content and b"090" not in raw.sealed_content
    assert not raw.anonymous and raw.contact_consent


def test_author_and_supervisor_can_read_another_counsellor_cannot_until_shared(
    db: Session, clock: FixedClock
) -> None:
    at = clock.now()
    _, supervisor = staff(db, "supervisor", at=at)
    _, author = staff(db, "counsellor", at=at)
    _, other = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    for reader in (author, supervisor):
        view = service.read_consultation(row.id, by=reader, db=db, at=at, secret_key=SECRET)
        assert view.content is not None and "消えろ" in view.content.summary
    with pytest.raises(DomainError) as refused:
        service.read_consultation(row.id, by=other, db=db, at=at, secret_key=SECRET)
    assert refused.value.status == 404  # the same answer as for a missing record
    service.share(row.id, other.user_id, by=author, db=db, at=at, secret_key=SECRET)
    assert service.read_consultation(row.id, by=other, db=db, at=at, secret_key=SECRET).content is not None


def test_the_wrong_secret_cannot_open_a_record(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    with pytest.raises(InvalidTag):
        service.read_consultation(
            row.id, by=author, db=db, at=clock.now(), secret_key="another-secret-0123456789abcdef"
        )


def test_every_read_of_personal_data_is_audited(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    service.read_consultation(row.id, by=author, db=db, at=clock.now(), secret_key=SECRET)
    service.read_consultation(row.id, by=author, db=db, at=clock.now(), secret_key=SECRET)
    db.flush()
    reads = db.scalars(
        select(AuditRow).where(AuditRow.subject_id == row.id, AuditRow.action == "consult.read")
    ).all()
    assert len(reads) == 2 and all(r.personal_data and r.actor == f"user:{author.user_id}" for r in reads)


def test_contact_details_need_consent(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    new = service.NewConsultation(
        "phone", ["insult"], "x", "要約", contact=Contact(phone="090"), contact_consent=False
    )
    with pytest.raises(DomainError, match="consent"):
        service.record_consultation(new, by=author, db=db, at=clock.now(), secret_key=SECRET)


def test_referral_needs_recorded_consent(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    with pytest.raises(DomainError) as refused:
        service.refer(row.id, "sia-hotline", consent=False, by=author, db=db, at=clock.now())
    assert refused.value.field == "consent" and row.referral_body is None
    service.refer(row.id, "sia-hotline", consent=True, by=author, db=db, at=clock.now())
    assert row.referral_body == "sia-hotline" and row.referral_consent_at == clock.now()
    assert row.outcome == "referred"


def test_follow_ups_are_sealed_and_counted(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    clock.advance(days=3)
    service.add_follow_up(row.id, "削除されたと連絡あり", by=author, db=db, at=clock.now(), secret_key=SECRET)
    service.set_outcome(row.id, "removed", by=author, db=db, at=clock.now())
    view = service.read_consultation(row.id, by=author, db=db, at=clock.now(), secret_key=SECRET)
    assert view.content is not None and [f.note for f in view.content.follow_ups] == ["削除されたと連絡あり"]
    assert row.follow_up_count == 1 and row.outcome == "removed"


def test_retention_erases_personal_data_and_keeps_counts(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    old = consultation(db, author, at=clock.now(), contact=Contact(email="a@example.jp"))
    clock.advance(days=400)
    recent = consultation(db, author, at=clock.now())
    erased = service.erase_expired(db=db, at=clock.now(), retention_days=365)
    db.flush()
    assert erased == 1
    assert old.sealed_content is None and old.erase_reason == "retention" and old.categories == "insult"
    assert store.readers_of(db, old.id) == []
    assert recent.sealed_content is not None
    assert (
        service.read_consultation(old.id, by=author, db=db, at=clock.now(), secret_key=SECRET).content is None
    )


def test_a_persons_deletion_request_is_honoured_and_recorded(db: Session, clock: FixedClock) -> None:
    _, supervisor = staff(db, "supervisor", at=clock.now())
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    service.honour_deletion_request(row.id, by=supervisor, db=db, at=clock.now())
    db.flush()
    assert row.sealed_content is None and row.erase_reason == "request"
    actions = [a.action for a in db.scalars(select(AuditRow).where(AuditRow.subject_id == row.id))]
    assert "consult.deletion_request" in actions


def test_the_worker_erases_consultations_past_their_retention_period(
    db: Session, clock: FixedClock, settings: Any, session_factory: Any
) -> None:
    from mamori.consult.jobs import erase_past_retention as housekeeping

    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now())
    db.flush()
    clock.advance(days=settings.consult_retention_days - 1)
    assert housekeeping(session_factory, settings, clock) == 0
    clock.advance(days=2)
    assert housekeeping(session_factory, settings, clock) == 1
    db.refresh(row)
    assert row.sealed_content is None and row.erase_reason == "retention"


def test_counts_survive_erasure(db: Session, clock: FixedClock) -> None:
    from mamori.consult.analysis import count_consultations

    _, supervisor = staff(db, "supervisor", at=clock.now())
    _, author = staff(db, "counsellor", at=clock.now())
    a = consultation(db, author, at=clock.now(), categories=("insult", "privacy"))
    consultation(db, author, at=clock.now() + dt.timedelta(days=40), service_id="bakusai")
    service.honour_deletion_request(a.id, by=supervisor, db=db, at=clock.now())
    counts = count_consultations(db)
    assert counts.total == 2
    assert dict(counts.by["category"]) == {"insult": 2, "privacy": 1}
    assert dict(counts.by["service"]) == {"x": 1, "bakusai": 1}
    assert dict(counts.by["month"]) == {"2026-04": 1, "2026-05": 1}
