"""Demo data for disclosure (【デモ】/ DEMO): an access provider by address range, a poster's logs, and
one matter of each kind in a different state of its clock. No mail is queued (no hearing is sent)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.disclosure import chain, service, store
from mamori.logs import service as logs

SYSTEM = Actor.system()
ACCOUNT = "demo-disclosure-acct"
POST = "demo-disclosure-post"


def load_demo(db: Session, *, at: dt.datetime, settings: Settings | None = None) -> list[str]:
    """Load the demo matters once; returns lines to print."""
    settings = settings or Settings()
    if store.provider_by_name(db, "【デモ】サンプル光") is not None:
        return ["disclosure demo data is already loaded (【デモ】/ DEMO)"]
    posted = at - dt.timedelta(days=20)
    logs.ingest_events(
        db,
        rows=[
            {
                "kind": "login",
                "account_id": ACCOUNT,
                "occurred_at": (posted - dt.timedelta(hours=1)).isoformat(),
                "ip": "203.0.113.45",
                "port": 50100,
            },
            {
                "kind": "post",
                "account_id": ACCOUNT,
                "occurred_at": posted.isoformat(),
                "ip": "203.0.113.45",
                "port": 50123,
                "post_id": POST,
            },
        ],
        actor=SYSTEM,
        at=at,
        settings=settings,
    )
    logs.ingest_holders(
        db,
        rows=[
            {
                "account_id": ACCOUNT,
                "name": "【デモ】発信者",
                "address": "【デモ】大阪府",
                "email": "poster@demo.example.com",
            }
        ],
        actor=SYSTEM,
        at=at,
        settings=settings,
    )
    chain.add_provider(
        "【デモ】サンプル光",
        "【デモ】東京都港区1-1-1",
        ["203.0.113.0/24"],
        "",
        "",
        db=db,
        settings=settings,
        at=at,
        by=SYSTEM,
    )
    common = {"court": "【デモ】東京地方裁判所", "post_id": POST}
    made = [
        service.register_order(
            {
                **common,
                "kind": "preservation_order",
                "case_number": "【デモ】令和8年(ヨ)第1号",
                "served_at": (at - dt.timedelta(days=10)).isoformat(),
            },
            db=db,
            settings=settings,
            at=at,
            by=SYSTEM,
        ),
        service.register_order(
            {
                **common,
                "kind": "provision_order",
                "case_number": "【デモ】令和8年(ヒ)第2号",
                "served_at": (at - dt.timedelta(days=3)).isoformat(),
            },
            db=db,
            settings=settings,
            at=at,
            by=SYSTEM,
        ),
        service.register_order(
            {
                **common,
                "kind": "disclosure_order",
                "case_number": "【デモ】令和8年(ヒ)第3号",
                "served_at": (at - dt.timedelta(days=40)).isoformat(),
                "items": ["name", "address", "ip_port", "timestamp"],
                "recipient": "【デモ】弁護士 甲野一郎",
            },
            db=db,
            settings=settings,
            at=at,
            by=SYSTEM,
        ),
    ]
    return [f"loaded DEMO disclosure data: 1 access provider, {len(made)} court orders (【デモ】)"]
