"""Every entry point to a consultation record asks authorize_record: a record not shared with you answers
404 exactly as a missing one does, writes nothing and says nothing about the record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.consult import service, store
from mamori.core.audit import AuditRow
from mamori.core.auth import Principal
from mamori.core.clock import FixedClock
from mamori.core.errors import DomainError, NotFound
from tests.consult.factories import SECRET, consultation, csrf, signed_in, staff

MISSING = "f" * 32
# What a refusal must never carry: the record's metadata (as the answer to a change would show it).
METADATA = ("opened_at", "channel", "categories", "outcome", "referral", "follow_ups", "anonymous", "phone")


def _audit_count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(AuditRow)) or 0)


def _snapshot(db: Session, record_id: str) -> tuple[Any, ...]:
    db.expire_all()
    row = db.get(store.ConsultationRow, record_id)
    assert row is not None
    return (
        row.outcome,
        row.referral_body,
        row.referral_consent_at,
        row.follow_up_count,
        row.sealed_content,
        row.erased_at,
        tuple(sorted(store.readers_of(db, record_id))),
    )


# ------------------------------------------------------------------------------------------- service

UseCase = Callable[[str, Principal, Session, dt.datetime], object]
USE_CASES: dict[str, UseCase] = {
    "read": lambda rid, p, db, at: service.read_consultation(rid, by=p, db=db, at=at, secret_key=SECRET),
    "follow_up": lambda rid, p, db, at: service.add_follow_up(
        rid, "連絡あり", by=p, db=db, at=at, secret_key=SECRET
    ),
    "outcome": lambda rid, p, db, at: service.set_outcome(rid, "removed", by=p, db=db, at=at),
    "refer": lambda rid, p, db, at: service.refer(rid, "police-cyber", consent=True, by=p, db=db, at=at),
    "share": lambda rid, p, db, at: service.share(rid, p.user_id, by=p, db=db, at=at, secret_key=SECRET),
    "erase_on_request": lambda rid, p, db, at: service.honour_deletion_request(rid, by=p, db=db, at=at),
}


@pytest.mark.parametrize("use_case", sorted(USE_CASES))
def test_every_use_case_refuses_a_record_not_shared_as_if_it_were_missing(
    use_case: str, db: Session, clock: FixedClock
) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    # A supervisor appointed after the record was made holds no key to it (and holds consult.manage).
    _, stranger = staff(db, "supervisor", at=at)
    db.flush()
    before, audited = _snapshot(db, row.id), _audit_count(db)
    with pytest.raises(NotFound) as theirs:
        USE_CASES[use_case](row.id, stranger, db, at)
    with pytest.raises(NotFound) as missing:
        USE_CASES[use_case](MISSING, stranger, db, at)
    db.flush()
    assert _snapshot(db, row.id) == before and _audit_count(db) == audited
    assert theirs.value.as_json() == NotFound("consultation", row.id).as_json()
    assert missing.value.as_json() == NotFound("consultation", MISSING).as_json()


@pytest.mark.parametrize("use_case", ["follow_up", "outcome", "refer", "share", "erase_on_request"])
def test_a_reader_without_consult_record_changes_nothing(
    use_case: str, db: Session, clock: FixedClock
) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    db.flush()
    read_only = Principal(author.user_id, author.email, author.display_name, frozenset({"auditor"}))
    before = _snapshot(db, row.id)
    with pytest.raises(DomainError) as refused:
        USE_CASES[use_case](row.id, read_only, db, at)
    assert refused.value.status == 403 and _snapshot(db, row.id) == before


def test_only_a_holder_of_consult_manage_erases_on_request(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, author = staff(db, "counsellor", at=at)
    row = consultation(db, author, at=at)
    with pytest.raises(DomainError) as refused:
        service.honour_deletion_request(row.id, by=author, db=db, at=at)
    assert refused.value.status == 403 and row.sealed_content is not None


def test_the_list_holds_only_what_is_shared_with_the_reader(db: Session, clock: FixedClock) -> None:
    at = clock.now()
    _, supervisor = staff(db, "supervisor", at=at)
    _, mine_author = staff(db, "counsellor", at=at)
    _, other = staff(db, "counsellor", at=at)
    _, auditor = staff(db, "auditor", at=at)
    mine = consultation(db, mine_author, at=at)
    theirs = consultation(db, other, at=at + dt.timedelta(minutes=1))
    shared = consultation(db, other, at=at + dt.timedelta(minutes=2))
    service.share(shared.id, mine_author.user_id, by=other, db=db, at=at, secret_key=SECRET)
    erased = consultation(db, other, at=at + dt.timedelta(minutes=3))
    service.honour_deletion_request(erased.id, by=supervisor, db=db, at=at)
    db.flush()

    def ids(p: Principal) -> set[str]:
        return {r.id for r in service.list_consultations(by=p, db=db)}

    assert ids(mine_author) == {mine.id, shared.id}
    assert ids(other) == {theirs.id, shared.id, erased.id}
    assert ids(supervisor) == {mine.id, theirs.id, shared.id, erased.id}
    assert ids(auditor) == set()
    newest_first = [r.id for r in service.list_consultations(by=supervisor, db=db)]
    assert newest_first == [erased.id, shared.id, theirs.id, mine.id]


# ------------------------------------------------------------------------------------------- JSON API


def _someone_elses_record(db: Session, clock: FixedClock) -> store.ConsultationRow:
    _, author = staff(db, "counsellor", at=clock.now())
    row = consultation(db, author, at=clock.now(), summary="秘密の相談")
    db.flush()
    return row


API_CHANGES: list[tuple[str, dict[str, Any] | None]] = [
    ("outcome", {"outcome": "removed"}),
    ("referral", {"body": "police-cyber", "consent": True}),
    ("deletion-request", None),
]


@pytest.mark.parametrize(("action", "body"), API_CHANGES)
def test_the_api_refuses_to_change_a_record_not_shared_and_tells_nothing(
    action: str, body: dict[str, Any] | None, client: Any, db: Session, clock: FixedClock
) -> None:
    row = _someone_elses_record(db, clock)
    signed_in(client, db, "supervisor", at=clock.now())  # holds every permission, but no key to it
    headers = {"X-CSRF-Token": csrf(client)}
    before, audited = _snapshot(db, row.id), _audit_count(db)
    theirs = client.post(f"/api/v1/consultations/{row.id}/{action}", json=body, headers=headers)
    missing = client.post(f"/api/v1/consultations/{MISSING}/{action}", json=body, headers=headers)
    assert theirs.status_code == missing.status_code == 404, theirs.text
    assert theirs.json() == {**missing.json(), **theirs.json()} and theirs.json()["error"] == "not_found"
    assert theirs.text.replace(row.id, MISSING) == missing.text
    assert not any(key in theirs.text for key in METADATA)
    assert _snapshot(db, row.id) == before and _audit_count(db) == audited


def test_a_counsellor_cannot_read_a_record_not_shared_nor_learn_it_exists(
    client: Any, db: Session, clock: FixedClock
) -> None:
    row = _someone_elses_record(db, clock)
    signed_in(client, db, "counsellor", at=clock.now())
    theirs = client.get(f"/api/v1/consultations/{row.id}")
    missing = client.get(f"/api/v1/consultations/{MISSING}")
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(row.id, MISSING) == missing.text and "秘密" not in theirs.text


def test_an_auditor_reads_no_record_not_shared_with_them(client: Any, db: Session, clock: FixedClock) -> None:
    row = _someone_elses_record(db, clock)
    signed_in(client, db, "auditor", at=clock.now())
    assert client.get(f"/api/v1/consultations/{row.id}").status_code == 404


def test_the_api_lists_only_the_records_shared_with_the_reader(
    client: Any, db: Session, clock: FixedClock
) -> None:
    theirs = _someone_elses_record(db, clock)
    me = signed_in(client, db, "counsellor", at=clock.now())
    mine = consultation(db, me, at=clock.now())
    db.flush()
    listed = client.get("/api/v1/consultations").json()["consultations"]
    assert [r["id"] for r in listed] == [mine.id] and theirs.id not in str(listed)


# ------------------------------------------------------------------------------------------- staff pages

PAGE_CHANGES: list[tuple[str, dict[str, str]]] = [
    ("outcome", {"outcome": "removed"}),
    ("referral", {"body": "police-cyber", "consent": "true"}),
    ("follow-up", {"note": "連絡あり"}),
    ("share", {"user_id": ""}),
    ("deletion-request", {}),
]


@pytest.mark.parametrize(("action", "form"), PAGE_CHANGES)
def test_the_pages_refuse_to_change_a_record_not_shared_and_tell_nothing(
    action: str, form: dict[str, str], client: Any, db: Session, clock: FixedClock
) -> None:
    row = _someone_elses_record(db, clock)
    me = signed_in(client, db, "supervisor", at=clock.now())
    form = {"csrf_token": csrf(client), **form}
    if action == "share":
        form["user_id"] = me.user_id
    before, audited = _snapshot(db, row.id), _audit_count(db)
    theirs = client.post(f"/consult/records/{row.id}/{action}", data=form, follow_redirects=False)
    missing = client.post(f"/consult/records/{MISSING}/{action}", data=form, follow_redirects=False)
    assert theirs.status_code == missing.status_code == 404, theirs.text
    assert theirs.text.replace(row.id, MISSING) == missing.text
    assert _snapshot(db, row.id) == before and _audit_count(db) == audited


def test_the_record_page_of_a_record_not_shared_is_not_found(
    client: Any, db: Session, clock: FixedClock
) -> None:
    row = _someone_elses_record(db, clock)
    signed_in(client, db, "counsellor", at=clock.now())
    theirs = client.get(f"/consult/records/{row.id}", headers={"Accept": "text/html"})
    missing = client.get(f"/consult/records/{MISSING}", headers={"Accept": "text/html"})
    assert theirs.status_code == missing.status_code == 404
    assert theirs.text.replace(row.id, MISSING) == missing.text and "秘密" not in theirs.text


def test_the_records_page_lists_only_what_is_shared(client: Any, db: Session, clock: FixedClock) -> None:
    theirs = _someone_elses_record(db, clock)
    me = signed_in(client, db, "counsellor", at=clock.now())
    mine = consultation(db, me, at=clock.now())
    db.flush()
    page = client.get("/consult/records")
    assert page.status_code == 200
    assert f"/consult/records/{mine.id}" in page.text and theirs.id not in page.text


def test_an_auditor_sees_an_empty_list(client: Any, db: Session, clock: FixedClock) -> None:
    theirs = _someone_elses_record(db, clock)
    signed_in(client, db, "auditor", at=clock.now())
    page = client.get("/consult/records")
    assert page.status_code == 200 and theirs.id not in page.text
