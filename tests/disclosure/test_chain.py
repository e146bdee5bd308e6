"""The 提供命令 chain between two running mamori instances over loopback: the content provider identifies
the access provider from its ranges and hands it the IP address, port and time; the access provider's
mamori answers from its assignment records and holds them, without naming the subscriber back."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.disclosure import chain, store
from mamori.logs import service as logs
from mamori.web.app import create_app
from tests.conftest import LiveServer
from tests.disclosure.support import LEGAL, POSTED_AT, SYSTEM, seed_poster_logs
from tests.factories import make_staff

NOW = dt.datetime(2026, 4, 13, 10, 0, tzinfo=JST)


def test_provision_order_is_handed_to_the_access_providers_mamori(
    fresh_database_url: str, second_database_url: str, settings: Settings
) -> None:
    content_settings = settings.model_copy(update={"database_url": fresh_database_url})
    access_settings = settings.model_copy(update={"database_url": second_database_url})
    content_engine, access_engine = make_engine(fresh_database_url), make_engine(second_database_url)
    try:
        with transaction(make_sessionmaker(access_engine)) as db:
            # A CGNAT address shared by two subscribers, each with its own port range.
            logs.ingest_assignments(
                db,
                rows=[
                    {
                        "subscriber_id": "sub-A",
                        "ip": "203.0.113.45",
                        "port_start": 50000,
                        "port_end": 50999,
                        "start": (POSTED_AT - dt.timedelta(days=1)).isoformat(),
                        "end": (POSTED_AT + dt.timedelta(days=1)).isoformat(),
                    },
                    {
                        "subscriber_id": "sub-B",
                        "ip": "203.0.113.45",
                        "port_start": 51000,
                        "port_end": 51999,
                        "start": (POSTED_AT - dt.timedelta(days=1)).isoformat(),
                        "end": (POSTED_AT + dt.timedelta(days=1)).isoformat(),
                    },
                ],
                actor=SYSTEM,
                at=NOW,
                settings=access_settings,
            )
            peer_key = chain.add_peer("サンプルSNS", db=db, at=NOW, by=LEGAL)
        with transaction(make_sessionmaker(content_engine)) as db:
            seed_poster_logs(db, content_settings, NOW)
            _user, token = make_staff(db, ["legal_officer"], "legal@sns.example.jp")
        clock = FixedClock(NOW)
        with (
            LiveServer(create_app(access_settings, clock=clock)) as access,
            LiveServer(create_app(content_settings, clock=clock)) as content,
        ):
            with transaction(make_sessionmaker(content_engine)) as db:
                chain.add_provider(
                    "サンプル光",
                    "東京都港区芝浦1-1",
                    ["203.0.113.0/24"],
                    access.url,
                    peer_key,
                    db=db,
                    settings=content_settings,
                    at=NOW,
                    by=LEGAL,
                )
            auth = {"Authorization": f"Bearer {token}"}
            api = f"{content.url}/api/v1/disclosure"
            with httpx.Client(timeout=30) as http:
                made = http.post(
                    f"{api}/orders",
                    headers=auth,
                    json={
                        "kind": "provision_order",
                        "court": "東京地方裁判所",
                        "case_number": "令和8年(ヒ)第9号",
                        "served_at": NOW.isoformat(),
                        "post_id": "post-1",
                    },
                )
                assert made.status_code == 201, made.text
                matter = made.json()["id"]
                told = http.post(f"{api}/matters/{matter}/provider-told", headers=auth, json={})
                assert told.json()["provider"] == {"name": "サンプル光", "address": "東京都港区芝浦1-1"}
                early = http.post(f"{api}/matters/{matter}/handover", headers=auth)
                assert early.status_code == 409  # not before the requester says they filed against it
                assert http.post(f"{api}/matters/{matter}/filing", headers=auth, json={}).status_code == 200
                handed = http.post(f"{api}/matters/{matter}/handover", headers=auth)
                assert handed.status_code == 200, handed.text
                assert handed.json() == {"answer": "held"}
                after = http.get(f"{api}/matters/{matter}", headers=auth).json()
                assert after["status"] == "ended" and "handed_over" in [s["kind"] for s in after["steps"]]
                assert "sub-A" not in str(after)  # the subscriber is never named back
                # A caller without the key we gave is refused, and nothing is recorded.
                stranger = http.post(
                    f"{access.url}/api/v1/disclosure/handovers",
                    headers={"Authorization": "Bearer nope"},
                    json={"ip": "203.0.113.45"},
                )
                assert stranger.status_code == 401
        with transaction(make_sessionmaker(access_engine)) as db:
            received = [m for m in store.matters(db, open_only=True) if m.kind == "handover"]
            assert len(received) == 1 and received[0].case_number == "令和8年(ヒ)第9号"
            holds = logs.holds(db, actor=LEGAL, at=NOW, settings=access_settings)
            assert [h.ip for h in holds] == ["203.0.113.45"]
    finally:
        content_engine.dispose()
        access_engine.dispose()


def test_without_a_port_a_shared_address_is_answered_ambiguous(db: Session, settings: Settings) -> None:
    logs.ingest_assignments(
        db,
        rows=[
            {
                "subscriber_id": s,
                "ip": "203.0.113.45",
                "port_start": lo,
                "port_end": lo + 999,
                "start": (POSTED_AT - dt.timedelta(days=1)).isoformat(),
            }
            for s, lo in (("sub-A", 50000), ("sub-B", 51000))
        ],
        actor=SYSTEM,
        at=NOW,
        settings=settings,
    )
    key = chain.add_peer("SNS", db=db, at=NOW, by=LEGAL)
    body = {
        "court": "東京地裁",
        "case_number": "1",
        "order_served_at": NOW.isoformat(),
        "ip": "203.0.113.45",
        "at": POSTED_AT.isoformat(),
    }
    row, status, candidates = chain.receive_handover(key, body, db=db, settings=settings, at=NOW)
    assert (status, candidates) == ("ambiguous", 2)
    assert row.hold_id is not None  # both candidates' records are kept until the court decides
