"""The access provider's lookup "who held IP x, port p at time t": exact hit, port outside every range,
time at the edge of an assignment, no port on a shared CGNAT address; the rule alone and on both
databases."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.logs import service
from mamori.logs.model import Assignment, normalise_ip, who_held
from tests.logs.factories import LEGAL, SOURCE, T0, assignment

S = dt.timedelta(seconds=1)
H = dt.timedelta(hours=1)
SKEW = 2 * S
CGNAT_IP = "100.64.0.10"


def a(
    sub: str, start: dt.datetime, end: dt.datetime | None, ports: tuple[int, int] = (0, 65535)
) -> Assignment:
    return Assignment(sub, CGNAT_IP, ports[0], ports[1], start, end)


SHARED = [
    a("alice", T0 - H, T0 + H, (1024, 2047)),
    a("bob", T0 - H, T0 + H, (2048, 3071)),
]


def test_exact_hit_on_a_shared_address_names_the_subscriber() -> None:
    answer = who_held(SHARED, port=2050, when=T0, skew=SKEW)
    assert (answer.status, answer.subscriber_id, answer.candidates) == ("held", "bob", 1)


def test_a_port_outside_every_range_is_not_held() -> None:
    answer = who_held(SHARED, port=5000, when=T0, skew=SKEW)
    assert (answer.status, answer.subscriber_id) == ("not_held", None)
    assert "5000" in answer.reason_en and "5000" in answer.reason_ja


def test_without_a_port_a_shared_address_is_ambiguous_never_a_guess() -> None:
    answer = who_held(SHARED, port=None, when=T0, skew=SKEW)
    assert (answer.status, answer.subscriber_id, answer.candidates) == ("ambiguous", None, 2)
    assert "CGNAT" in answer.reason_en


def test_without_a_port_an_address_of_one_subscriber_is_held() -> None:
    answer = who_held([a("carol", T0 - H, T0 + H)], port=None, when=T0, skew=SKEW)
    assert (answer.status, answer.subscriber_id) == ("held", "carol")


HANDOVER = [a("dave", T0 - H, T0), a("erin", T0, T0 + H)]  # dave's end is erin's start


@pytest.mark.parametrize(
    ("when", "skew", "expected"),
    [
        (T0 - H, SKEW, ("held", "dave")),  # start is inclusive
        (T0 - 10 * S, SKEW, ("held", "dave")),
        (T0 + 10 * S, SKEW, ("held", "erin")),
        (T0 - S, SKEW, ("ambiguous", None)),  # within the tolerance of the change
        (T0, SKEW, ("ambiguous", None)),
        (T0 + S, SKEW, ("ambiguous", None)),
        (
            T0 - 2 * S,
            SKEW,
            ("ambiguous", None),
        ),  # the window [t - skew, t + skew] is closed: erin starts at its end
        (T0 + 2 * S, SKEW, ("held", "erin")),  # dave's end is exclusive: [.., T0) misses the window [T0, ..]
        (T0, 0 * S, ("held", "erin")),  # without tolerance: end exclusive, start inclusive
        (T0 - S, 0 * S, ("held", "dave")),
        (T0 + H, 0 * S, ("not_held", None)),  # erin's end is exclusive
        (T0 + H + S, SKEW, ("held", "erin")),  # just after the end, within the tolerance: only erin
        (T0 + H + 3 * S, SKEW, ("not_held", None)),
        (T0 - H - 3 * S, SKEW, ("not_held", None)),
    ],
)
def test_time_at_the_edges_of_an_assignment(
    when: dt.datetime, skew: dt.timedelta, expected: tuple[str, str | None]
) -> None:
    answer = who_held(HANDOVER, port=None, when=when, skew=skew)
    assert (answer.status, answer.subscriber_id) == expected


def test_an_open_assignment_is_still_held() -> None:
    assert (
        who_held([a("frank", T0 - H, None)], port=80, when=T0 + 1000 * H, skew=SKEW).subscriber_id == "frank"
    )


def test_addresses_are_compared_in_canonical_form() -> None:
    assert normalise_ip("2001:DB8:0:0::1") == "2001:db8::1"
    assert normalise_ip("::ffff:192.0.2.1") == "192.0.2.1"
    assert normalise_ip(" 192.0.2.1 ") == "192.0.2.1"
    for bad in ("192.0.2.01", "256.0.0.1", "192.0.2", "example.jp"):
        with pytest.raises(ValueError):
            normalise_ip(bad)


def test_the_lookup_on_the_database_answers_the_same(db: Session, settings: Settings) -> None:
    rows = [
        assignment(subscriber_id="alice", ip=CGNAT_IP, port_start=1024, port_end=2047),
        assignment(subscriber_id="bob", ip=CGNAT_IP, port_start=2048, port_end=3071),
        assignment(subscriber_id="other", ip="100.64.0.11"),
    ]
    service.ingest_assignments(db, rows=rows, actor=SOURCE, at=T0, settings=settings)

    def ask(ip: str, port: int | None, when: dt.datetime = T0) -> tuple[str, str | None]:
        answer = service.who_held(db, ip=ip, port=port, when=when, actor=LEGAL, at=T0, settings=settings)
        return answer.status, answer.subscriber_id

    assert ask(CGNAT_IP, 1500) == ("held", "alice")
    assert ask(CGNAT_IP, 2048) == ("held", "bob")
    assert ask(CGNAT_IP, 4000) == ("not_held", None)
    assert ask(CGNAT_IP, None) == ("ambiguous", None)
    assert ask("100.64.0.11", None) == ("held", "other")
    assert ask(CGNAT_IP, 1500, T0 + 2 * H) == ("not_held", None)
    assert ask("::ffff:100.64.0.11", 1) == ("held", "other")


def test_the_tolerance_is_a_setting(db: Session, settings: Settings) -> None:
    rows = [
        assignment(subscriber_id="dave", start=(T0 - H).isoformat(), end=T0.isoformat()),
        assignment(subscriber_id="erin", start=T0.isoformat(), end=(T0 + H).isoformat()),
    ]
    service.ingest_assignments(db, rows=rows, actor=SOURCE, at=T0, settings=settings)
    when = T0 + 30 * S
    common = {"ip": "198.51.100.7", "port": None, "when": when, "actor": LEGAL, "at": T0}
    assert service.who_held(db, **common, settings=settings).status == "held"  # type: ignore[arg-type]
    wide = settings.model_copy(update={"logs_lookup_skew_seconds": 60})
    assert service.who_held(db, **common, settings=wide).status == "ambiguous"  # type: ignore[arg-type]


def test_an_ipv6_subscriber_holds_a_prefix_and_an_address_in_it_finds_them(
    db: Session, settings: Settings
) -> None:
    rows = [
        assignment(subscriber_id="v6-home", ip="2001:DB8:1234:5600::/56"),
        assignment(subscriber_id="v6-phone", ip="2001:db8:ffff:1::/64"),
        assignment(subscriber_id="v6-exact", ip="2001:db8::99"),
    ]
    service.ingest_assignments(db, rows=rows, actor=SOURCE, at=T0, settings=settings)

    def ask(ip: str) -> tuple[str, str | None]:
        answer = service.who_held(db, ip=ip, port=None, when=T0, actor=LEGAL, at=T0, settings=settings)
        return answer.status, answer.subscriber_id

    assert ask("2001:db8:1234:56ab:cdef::1") == ("held", "v6-home")
    assert ask("2001:db8:ffff:1:aaaa:bbbb:cccc:dddd") == ("held", "v6-phone")
    assert ask("2001:db8::99") == ("held", "v6-exact")
    assert ask("2001:db8:1234:5700::1") == ("not_held", None)  # the next /56


def test_an_ipv4_prefix_is_refused_as_an_assignment(db: Session, settings: Settings) -> None:
    from mamori.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        service.ingest_assignments(
            db, rows=[assignment(ip="100.64.0.0/24")], actor=SOURCE, at=T0, settings=settings
        )
    assert refused.value.field == "rows[0] ip"
