"""The three court orders walked end to end with their clocks at the edges, and the holds they place."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.disclosure import chain, clocks, hearing, jobs, package, service, store
from mamori.disclosure.model import ClockState, MatterStatus
from mamori.logs import service as logs
from mamori.notices.delivery import deliver_due
from tests.disclosure.support import LEGAL, SPECIALIST, request_body, seed_poster_logs

SERVED = dt.datetime(2026, 4, 10, 15, 0, tzinfo=JST)  # a Friday afternoon
NOW = dt.datetime(2026, 4, 13, 10, 0, tzinfo=JST)


def active_holds(db: Session, settings: Settings) -> list[str]:
    return [h.basis for h in logs.holds(db, actor=LEGAL, at=NOW, settings=settings)]


def order(db: Session, settings: Settings, **over: object) -> store.MatterRow:
    data = {
        "kind": "disclosure_order",
        "court": "東京地方裁判所",
        "case_number": "令和8年(ヒ)第123号",
        "served_at": SERVED.isoformat(),
        "post_id": "post-1",
        "items": ["name", "address", "ip_port", "iccid"],
        "recipient": "弁護士 甲野一郎",
    }
    data.update(over)
    return service.register_order(data, db=db, settings=settings, at=NOW, by=LEGAL)


def test_disclosure_order_is_not_final_until_the_objection_period_ends(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(db, settings)
    assert active_holds(db, settings) == ["disclosure_request"]
    # Served Fri 4/10 15:00 JST: one month ends 5/10 (a Sunday), so the suit may be brought until Mon 5/11.
    last = dt.datetime(2026, 5, 11, 23, 59, 59, 999999, tzinfo=JST)
    assert service.objection_ends_at(row, settings) == last
    clock = clocks.clock_of(row, db=db, settings=settings, now=last)
    assert clock.state is ClockState.RUNNING and clock.label == "Objection suit period ends"
    with pytest.raises(DomainError) as refused:
        package.produce(row.id, db=db, settings=settings, at=last, by=LEGAL)
    assert refused.value.code == "order_not_final"
    after = dt.datetime(2026, 5, 12, 0, 0, tzinfo=JST)
    assert clocks.clock_of(row, db=db, settings=settings, now=after).state is ClockState.ACTION_DUE
    made = package.produce(row.id, db=db, settings=settings, at=after, by=LEGAL)
    assert row.status == MatterStatus.DISCLOSED.value and active_holds(db, settings) == []
    document = json.loads(made.content)
    assert package.verify(made.content) is None
    # Only the items ordered, and only those the logs hold: no ICCID was logged, no phone was asked.
    assert set(document["package"]["items"]) == {"name", "address", "ip_port"}
    assert document["package"]["not_held"] == ["iccid"]
    assert "090-1111-2222" not in made.content.decode()
    assert document["package"]["items"]["ip_port"] == {"ip": "203.0.113.45", "port": 50123}
    assert document["package"]["recipient"]["name"] == "弁護士 甲野一郎"
    assert document["package"]["produced_by"]["id"] == LEGAL.ident


def test_an_objection_suit_keeps_the_order_from_being_final_until_it_is_upheld(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(db, settings)
    service.record_objection_suit(row.id, NOW, db=db, settings=settings, at=NOW, by=LEGAL)
    much_later = dt.datetime(2026, 9, 1, tzinfo=JST)
    assert clocks.clock_of(row, db=db, settings=settings, now=much_later).label == "Objection suit pending"
    with pytest.raises(DomainError):
        package.produce(row.id, db=db, settings=settings, at=much_later, by=LEGAL)
    service.record_suit_result(row.id, True, db=db, settings=settings, at=much_later, by=LEGAL)
    assert package.produce(row.id, db=db, settings=settings, at=much_later, by=LEGAL).production.sequence == 1


def test_a_revoked_order_ends_and_releases_its_hold(db: Session, settings: Settings) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(db, settings)
    service.record_objection_suit(row.id, NOW, db=db, settings=settings, at=NOW, by=LEGAL)
    service.record_suit_result(row.id, False, db=db, settings=settings, at=NOW, by=LEGAL)
    assert row.status == MatterStatus.ENDED.value and active_holds(db, settings) == []


def test_a_second_production_is_refused_without_a_reason_and_recorded_with_one(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(db, settings)
    after = dt.datetime(2026, 5, 12, 9, 0, tzinfo=JST)
    first = package.produce(row.id, db=db, settings=settings, at=after, by=LEGAL)
    with pytest.raises(DomainError) as again:
        package.produce(row.id, db=db, settings=settings, at=after, by=LEGAL)
    assert again.value.code == "already_produced" and again.value.field == "repeat_reason"
    second = package.produce(
        row.id, db=db, settings=settings, at=after, by=LEGAL, repeat_reason="郵送中に紛失"
    )
    productions = store.productions_of(db, row.id)
    assert [p.sequence for p in productions] == [1, 2]
    assert productions[1].repeat_of == productions[0].id and productions[1].repeat_reason == "郵送中に紛失"
    document = json.loads(second.content)["package"]
    assert document["production"] == 2
    assert document["repeat_of"]["sha256"] == first.production.package_sha256
    assert package.verify(second.content) is None


def test_a_tampered_package_does_not_verify(db: Session, settings: Settings) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(db, settings)
    made = package.produce(
        row.id, db=db, settings=settings, at=dt.datetime(2026, 5, 12, tzinfo=JST), by=LEGAL
    )
    document = json.loads(made.content)
    document["package"]["items"]["name"] = "別人"
    assert package.verify(json.dumps(document).encode()) is not None


def test_preservation_order_holds_the_logs_until_the_case_ends(db: Session, settings: Settings) -> None:
    seed_poster_logs(db, settings, NOW)
    row = order(
        db, settings, kind="preservation_order", items=[], recipient="", post_id="", account_id="acct-1001"
    )
    assert active_holds(db, settings) == ["erasure_order"]
    clock = clocks.clock_of(row, db=db, settings=settings, now=dt.datetime(2027, 1, 1, tzinfo=JST))
    assert clock.state is ClockState.WAITING  # no lapse: it runs until the case ends
    service.end_matter(row.id, "本案終了", db=db, settings=settings, at=NOW, by=LEGAL)
    assert active_holds(db, settings) == [] and row.status == MatterStatus.ENDED.value


def provision(db: Session, settings: Settings) -> store.MatterRow:
    chain.add_provider(
        "サンプル光", "東京都港区1-1", ["203.0.113.0/24"], "", "", db=db, settings=settings, at=NOW, by=LEGAL
    )
    return order(db, settings, kind="provision_order", items=[], recipient="")


def test_provision_order_identifies_the_access_provider_from_the_ranges(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = provision(db, settings)
    assert row.provider_id is not None
    clock = clocks.clock_of(row, db=db, settings=settings, now=NOW)
    assert clock.label == "Give the requester the access provider's name and address"
    told = dt.datetime(2026, 4, 13, 15, 0, tzinfo=JST)
    provider = chain.tell_requester_provider(
        row.id, told, db=db, settings=settings, at=NOW + dt.timedelta(hours=6), by=LEGAL
    )
    assert (provider.name, provider.address) == ("サンプル光", "東京都港区1-1")
    # Two months from 4/13 15:00: counting from 4/14, the period ends at the end of 6/13 (JST).
    assert service.filing_ends_at(row) == dt.datetime(2026, 6, 13, 23, 59, 59, 999999, tzinfo=JST)


def test_the_requesters_filing_notice_is_accepted_on_the_last_day_and_not_after(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = provision(db, settings)
    chain.tell_requester_provider(row.id, NOW, db=db, settings=settings, at=NOW, by=LEGAL)
    last = dt.datetime(2026, 6, 13, 23, 59, 59, tzinfo=JST)
    with pytest.raises(DomainError) as late:
        chain.record_filing_notice(
            row.id,
            last + dt.timedelta(seconds=1),
            db=db,
            settings=settings,
            at=last + dt.timedelta(days=1),
            by=LEGAL,
        )
    assert late.value.code == "lapsed"
    chain.record_filing_notice(
        row.id, last, db=db, settings=settings, at=last + dt.timedelta(days=1), by=LEGAL
    )
    assert (
        clocks.clock_of(row, db=db, settings=settings, now=last).label
        == "Hand the IP address and timestamps to the access provider"
    )


def test_provision_order_lapses_after_two_months_without_filing(db: Session, settings: Settings) -> None:
    seed_poster_logs(db, settings, NOW)
    row = provision(db, settings)
    chain.tell_requester_provider(row.id, NOW, db=db, settings=settings, at=NOW, by=LEGAL)
    last = dt.datetime(2026, 6, 13, 23, 59, 59, tzinfo=JST)
    assert clocks.clock_of(row, db=db, settings=settings, now=last).state is ClockState.DUE_SOON
    assert service.sweep(db=db, settings=settings, now=last) == []
    assert service.sweep(db=db, settings=settings, now=last + dt.timedelta(seconds=1)) == [row.number]
    assert row.status == MatterStatus.LAPSED.value and active_holds(db, settings) == []


def test_a_provision_order_outside_every_range_says_so(db: Session, settings: Settings) -> None:
    seed_poster_logs(db, settings, NOW)
    chain.add_provider(
        "別の光", "東京都", ["198.51.100.0/24"], "", "", db=db, settings=settings, at=NOW, by=LEGAL
    )
    row = order(db, settings, kind="provision_order", items=[], recipient="")
    assert row.provider_id is None
    assert [s.kind for s in store.steps_of(db, row.id)][-1] == "provider_not_found"


def test_orders_refuse_bad_input_field_by_field_and_write_nothing(db: Session, settings: Settings) -> None:
    before = len(store.matters(db, open_only=False))
    with pytest.raises(DomainError) as bad:
        order(
            db,
            settings,
            kind="arrest_warrant",
            court="",
            served_at="2026-13-01",
            items=["shoe_size"],
            post_id="",
        )
    fields = {p.field for p in bad.value.problems}
    assert {"kind", "court", "served_at", "items", "post_id"} <= fields
    assert all(p.ja and p.en for p in bad.value.problems)
    with pytest.raises(DomainError) as future:
        order(db, settings, served_at=(NOW + dt.timedelta(days=1)).isoformat())
    assert future.value.field == "served_at"
    assert len(store.matters(db, open_only=False)) == before


def test_only_the_legal_officer_registers_orders(db: Session, settings: Settings) -> None:
    with pytest.raises(DomainError) as refused:
        service.register_order(
            {"kind": "preservation_order"}, db=db, settings=settings, at=NOW, by=SPECIALIST
        )
    assert refused.value.status == 403


def test_a_request_may_be_granted_without_a_hearing_only_when_the_poster_cannot_be_contacted(
    db: Session, settings: Settings
) -> None:
    seed_poster_logs(db, settings, NOW, with_email=False)
    row = service.submit_request(request_body(), db=db, settings=settings, at=NOW, by=LEGAL)
    service.decide_request(row.id, True, "", db=db, settings=settings, at=NOW, by=LEGAL)
    assert row.granted == "yes"
    assert "poster_unreachable" in [s.kind for s in store.steps_of(db, row.id)]


def test_the_access_providers_disclosure_order_discloses_the_subscriber_who_held_the_address(
    db: Session, settings: Settings
) -> None:
    posted = dt.datetime(2026, 3, 30, 21, 5, 9, tzinfo=JST)
    logs.ingest_assignments(
        db,
        rows=[
            {
                "subscriber_id": "sub-A",
                "ip": "203.0.113.45",
                "port_start": 50000,
                "port_end": 50999,
                "start": (posted - dt.timedelta(days=1)).isoformat(),
            },
            {
                "subscriber_id": "sub-B",
                "ip": "203.0.113.45",
                "port_start": 51000,
                "port_end": 51999,
                "start": (posted - dt.timedelta(days=1)).isoformat(),
            },
        ],
        actor=LEGAL.system(),
        at=NOW,
        settings=settings,
    )
    logs.ingest_holders(
        db,
        rows=[
            {
                "account_id": "sub-A",
                "name": "契約者A",
                "address": "神奈川県横浜市1-1",
                "email": "a@isp.example",
            },
            {"account_id": "sub-B", "name": "契約者B", "address": "埼玉県", "email": "b@isp.example"},
        ],
        actor=LEGAL.system(),
        at=NOW,
        settings=settings,
    )
    row = order(
        db,
        settings,
        post_id="",
        ip="203.0.113.45",
        port="50123",
        sent_at=posted.isoformat(),
        items=["name", "address"],
    )
    made = package.produce(
        row.id, db=db, settings=settings, at=dt.datetime(2026, 5, 12, tzinfo=JST), by=LEGAL
    )
    items = json.loads(made.content)["package"]["items"]
    assert items == {"name": "契約者A", "address": "神奈川県横浜市1-1"}


def test_a_hearing_without_an_answer_ends_with_its_window_and_the_request_may_then_be_decided(
    db: Session, settings: Settings, session_factory: object
) -> None:
    seed_poster_logs(db, settings, NOW)
    row = service.submit_request(request_body(), db=db, settings=settings, at=NOW, by=LEGAL)
    sent = hearing.start_hearing(row.id, db=db, settings=settings, at=NOW, by=LEGAL)
    db.flush()
    delivered = dt.datetime(2026, 4, 13, 23, 59, tzinfo=JST)
    assert deliver_due(session_factory, settings, FixedClock(delivered)).sent == 1  # type: ignore[arg-type]
    db.expire_all()
    # 14 days from delivery late on 4/13: counting from 4/14, the window ends at the end of 4/27 (JST).
    last = dt.datetime(2026, 4, 27, 23, 59, 59, tzinfo=JST)
    assert jobs.sweep_clocks(session_factory, settings, FixedClock(last)) == {
        "provision_orders_lapsed": 0,
        "hearings_ended": 0,
    }  # type: ignore[arg-type]
    db.expire_all()
    assert db.get(store.HearingRow, sent.id).ends_at == dt.datetime(
        2026, 4, 27, 23, 59, 59, 999999, tzinfo=JST
    )  # type: ignore[union-attr]
    after = last + dt.timedelta(seconds=1)
    assert jobs.sweep_clocks(session_factory, settings, FixedClock(after))["hearings_ended"] == 1  # type: ignore[arg-type]
    db.expire_all()
    assert (
        clocks.clock_of(db.get(store.MatterRow, row.id), db=db, settings=settings, now=after).label
        == "Decide the request"
    )  # type: ignore[arg-type]
    service.decide_request(row.id, True, "", db=db, settings=settings, at=after, by=LEGAL)
