"""【デモ】/DEMO data for `mamori demo`: a poster's account and post events, the account holder, and an
access provider's CGNAT assignments, so the legal officer's /logs page has something to look up."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.logs import service


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    system = Actor.system()
    posted = at - dt.timedelta(days=3)
    events = [
        {
            "kind": "account_created",
            "account_id": "demo-poster-1",
            "occurred_at": (posted - dt.timedelta(days=30)).isoformat(),
            "ip": "203.0.113.10",
            "port": 40001,
        },
        {
            "kind": "login",
            "account_id": "demo-poster-1",
            "occurred_at": (posted - dt.timedelta(minutes=5)).isoformat(),
            "ip": "100.64.0.10",
            "port": 1500,
            "mobile_id": "DEMO-MID-0001",
            "iccid": "8981100000000000001",
        },
        {
            "kind": "post",
            "account_id": "demo-poster-1",
            "occurred_at": posted.isoformat(),
            "ip": "100.64.0.10",
            "port": 1500,
            "post_id": "demo-post-1",
        },
    ]
    holders = [
        {
            "account_id": "demo-poster-1",
            "name": "【デモ】山田太郎 (DEMO)",
            "address": "【デモ】東京都千代田区千代田1-1 (DEMO)",
            "phone": "090-0000-0000",
            "email": "poster@demo.invalid",
        }
    ]
    assignments = [
        {
            "subscriber_id": "DEMO-SUB-A",
            "ip": "100.64.0.10",
            "port_start": 1024,
            "port_end": 2047,
            "start": (posted - dt.timedelta(hours=6)).isoformat(),
            "end": (posted + dt.timedelta(hours=6)).isoformat(),
        },
        {
            "subscriber_id": "DEMO-SUB-B",
            "ip": "100.64.0.10",
            "port_start": 2048,
            "port_end": 3071,
            "start": (posted - dt.timedelta(hours=6)).isoformat(),
            "end": (posted + dt.timedelta(hours=6)).isoformat(),
        },
    ]
    service.ingest_events(db, rows=events, actor=system, at=at, source="demo")
    service.ingest_holders(db, rows=holders, actor=system, at=at, source="demo")
    service.ingest_assignments(db, rows=assignments, actor=system, at=at, source="demo")
    service.place_hold(
        db,
        actor=system,
        at=at,
        basis="legal_officer",
        reference="【デモ】DEMO-HOLD-1",
        account_id="demo-poster-1",
    )
    return [
        "【デモ】logs: 3 events of demo-poster-1 (post demo-post-1 from 100.64.0.10 port 1500), its holder, "
        "2 CGNAT assignments of 100.64.0.10, 1 hold — /logs?ip=100.64.0.10&port=1500",
    ]
