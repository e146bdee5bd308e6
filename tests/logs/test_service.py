"""The log keeping's use cases on both databases: reads for the legal officer only (audited), holds,
ingestion that writes all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor, AuditRow
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.logs import service
from mamori.logs.store import EventRow
from tests.logs.factories import ADMIN, AUDITOR, LEGAL, SOURCE, SPECIALIST, T0, event, holder

H = dt.timedelta(hours=1)


def test_legal_officer_reads_the_events_of_an_account_decrypted_and_audited(
    db: Session, settings: Settings
) -> None:
    rows = [
        event(kind="account_created", occurred_at=(T0 - 2 * H).isoformat(), post_id=None),
        event(
            kind="login",
            occurred_at=(T0 - H).isoformat(),
            post_id=None,
            mobile_id="MID-9",
            iccid="8981100000000000001",
        ),
        event(),
        event(account_id="someone-else", post_id="post-2"),
    ]
    assert service.ingest_events(db, rows=rows, actor=SOURCE, at=T0, settings=settings) == 4

    found = service.events_of_account(
        db, account_id="acct-1001", start=T0 - 3 * H, end=T0 + H, actor=LEGAL, at=T0, settings=settings
    )

    assert [e.kind for e in found] == ["account_created", "login", "post"]
    assert found[1].mobile_id == "MID-9" and found[1].iccid == "8981100000000000001"
    assert found[2].ip == "203.0.113.45" and found[2].port == 50123 and found[2].post_id == "post-1"
    assert found[2].occurred_at == T0
    audit = db.scalars(select(AuditRow).where(AuditRow.action == "logs.events_read")).all()
    assert [(a.actor, a.personal_data) for a in audit] == [("user:legal", True)]


def test_the_range_is_start_inclusive_end_exclusive(db: Session, settings: Settings) -> None:
    service.ingest_events(
        db, rows=[event(occurred_at=T0.isoformat())], actor=SOURCE, at=T0, settings=settings
    )
    common = {"account_id": "acct-1001", "actor": LEGAL, "at": T0, "settings": settings}
    assert len(service.events_of_account(db, start=T0, end=T0 + H, **common)) == 1  # type: ignore[arg-type]
    assert service.events_of_account(db, start=T0 - H, end=T0, **common) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("actor", [SPECIALIST, ADMIN, AUDITOR, SOURCE], ids=lambda a: next(iter(a.roles)))
def test_no_one_but_the_legal_officer_reads_poster_data(
    db: Session, settings: Settings, actor: Actor
) -> None:
    service.ingest_events(db, rows=[event()], actor=SOURCE, at=T0, settings=settings)
    service.ingest_holders(db, rows=[holder()], actor=SOURCE, at=T0, settings=settings)
    reads = [
        lambda: service.events_of_account(
            db, account_id="acct-1001", start=T0 - H, end=T0 + H, actor=actor, at=T0, settings=settings
        ),
        lambda: service.post_event(db, post_id="post-1", actor=actor, at=T0, settings=settings),
        lambda: service.account_holder(db, account_id="acct-1001", actor=actor, at=T0, settings=settings),
        lambda: service.who_held(
            db, ip="198.51.100.7", port=None, when=T0, actor=actor, at=T0, settings=settings
        ),
        lambda: service.holds(db, actor=actor, at=T0, settings=settings),
    ]
    for read in reads:
        with pytest.raises(DomainError) as refused:
            read()
        assert refused.value.status == 403


def test_post_event_and_account_holder(db: Session, settings: Settings) -> None:
    service.ingest_events(
        db, rows=[event(), event(kind="login", post_id=None)], actor=SOURCE, at=T0, settings=settings
    )
    service.ingest_holders(db, rows=[holder()], actor=SOURCE, at=T0, settings=settings)

    created = service.post_event(db, post_id="post-1", actor=LEGAL, at=T0, settings=settings)
    person = service.account_holder(db, account_id="acct-1001", actor=LEGAL, at=T0, settings=settings)

    assert created is not None and created.kind == "post" and created.account_id == "acct-1001"
    assert created.ip == "203.0.113.45" and created.port == 50123
    assert person is not None and person.name == "山田花子" and person.email == "hanako@example.jp"
    assert service.post_event(db, post_id="nope", actor=LEGAL, at=T0, settings=settings) is None
    assert service.account_holder(db, account_id="nobody", actor=LEGAL, at=T0, settings=settings) is None


def test_a_newer_holder_row_replaces_the_older(db: Session, settings: Settings) -> None:
    service.ingest_holders(db, rows=[holder()], actor=SOURCE, at=T0, settings=settings)
    service.ingest_holders(
        db, rows=[holder(email="new@example.jp")], actor=SOURCE, at=T0 + H, settings=settings
    )
    person = service.account_holder(db, account_id="acct-1001", actor=LEGAL, at=T0, settings=settings)
    assert person is not None and person.email == "new@example.jp"


def test_one_bad_row_writes_nothing_and_names_the_row_and_field(db: Session, settings: Settings) -> None:
    rows = [event(), event(post_id="p2"), event(ip="999.1.1.1"), event(occurred_at="2026-04-01T10:00:00")]
    with pytest.raises(DomainError) as refused:
        service.ingest_events(db, rows=rows, actor=SOURCE, at=T0, settings=settings)
    fields = [p.field for p in refused.value.problems]
    assert fields == ["rows[2] ip", "rows[3] occurred_at"]
    assert "+09:00" in refused.value.problems[1].en
    # the caller's transaction rolls back; nothing was written before the check failed either
    assert db.scalar(select(func.count()).select_from(EventRow)) == 0


def test_only_the_log_source_and_legal_officer_ingest(db: Session, settings: Settings) -> None:
    for actor in (SPECIALIST, ADMIN, AUDITOR):
        with pytest.raises(DomainError) as refused:
            service.ingest_events(db, rows=[event()], actor=actor, at=T0, settings=settings)
        assert refused.value.status == 403
    assert service.ingest_events(db, rows=[event()], actor=LEGAL, at=T0, settings=settings) == 1


def test_holds_are_placed_listed_and_released(db: Session, settings: Settings) -> None:
    hold_id = service.place_hold(
        db,
        actor=LEGAL,
        at=T0,
        basis="erasure_order",
        reference="令和8年(発チ)第123号",
        account_id="acct-1001",
        start=T0 - 24 * H,
        end=T0,
        settings=settings,
    )
    listed = service.holds(db, actor=LEGAL, at=T0, settings=settings)
    assert [(h.id, h.account_id, h.ip, h.active) for h in listed] == [(hold_id, "acct-1001", None, True)]

    service.release_hold(db, hold_id=hold_id, actor=LEGAL, at=T0 + H, reason="事件終了", settings=settings)

    assert service.holds(db, actor=LEGAL, at=T0 + H, settings=settings) == []
    everything = service.holds(db, actor=LEGAL, at=T0 + H, active_only=False, settings=settings)
    assert everything[0].released_by == "user:legal" and not everything[0].active
    with pytest.raises(DomainError):
        service.release_hold(db, hold_id=hold_id, actor=LEGAL, at=T0 + H, reason="again", settings=settings)


def test_a_hold_needs_a_scope_and_a_known_basis(db: Session, settings: Settings) -> None:
    with pytest.raises(DomainError) as no_scope:
        service.place_hold(db, actor=LEGAL, at=T0, basis="legal_officer", reference="x", settings=settings)
    assert no_scope.value.field == "account_id"
    with pytest.raises(DomainError) as bad_basis:
        service.place_hold(
            db, actor=LEGAL, at=T0, basis="whim", reference="x", account_id="a", settings=settings
        )
    assert bad_basis.value.field == "basis"
    with pytest.raises(DomainError) as specialist:
        service.place_hold(
            db,
            actor=SPECIALIST,
            at=T0,
            basis="legal_officer",
            reference="x",
            account_id="a",
            settings=settings,
        )
    assert specialist.value.status == 403


def test_the_system_actor_reads_for_the_disclosure_package(db: Session, settings: Settings) -> None:
    service.ingest_events(db, rows=[event()], actor=Actor.system(), at=T0, settings=settings)
    assert (
        service.post_event(db, post_id="post-1", actor=Actor.system(), at=T0, settings=settings) is not None
    )


def test_the_demo_data_loads_and_answers_the_lookup(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mamori.logs.demo_data import load_demo

    monkeypatch.setenv("MAMORI_SECRET_KEY", settings.secret_key)
    monkeypatch.delenv("MAMORI_LOGS_KEYS", raising=False)
    lines = load_demo(db, at=T0)
    assert lines and "【デモ】" in lines[0]
    when = T0 - dt.timedelta(days=3)
    answer = service.who_held(
        db, ip="100.64.0.10", port=1500, when=when, actor=LEGAL, at=T0, settings=settings
    )
    assert answer.subscriber_id == "DEMO-SUB-A"
