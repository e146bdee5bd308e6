"""Test data for disclosure: the poster's logs (through logs.service), a drafted request, actors."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.logs import service as logs

LEGAL = Actor("user:legal", frozenset({"legal_officer"}))
SPECIALIST = Actor("user:spec", frozenset({"specialist"}))
SYSTEM = Actor.system()
POSTED_AT = dt.datetime(2026, 3, 30, 21, 5, 9, tzinfo=JST)
POSTER_EMAIL = "poster@example.jp"
REQUESTER_ADDRESS = "東京都千代田区霞が関一丁目1番1号"
EXAMPLE = Path(__file__).resolve().parents[2] / "src/mamori/drafting/examples/disclosure.json"


def seed_poster_logs(db: Session, settings: Settings, at: dt.datetime, *, with_email: bool = True) -> None:
    """acct-1001 posted post-1 from 203.0.113.45:50123 at POSTED_AT, logged in before; its holder is known."""
    logs.ingest_events(
        db,
        rows=[
            {
                "kind": "login",
                "account_id": "acct-1001",
                "occurred_at": (POSTED_AT - dt.timedelta(hours=2)).isoformat(),
                "ip": "203.0.113.45",
                "port": 50100,
            },
            {
                "kind": "post",
                "account_id": "acct-1001",
                "occurred_at": POSTED_AT.isoformat(),
                "ip": "203.0.113.45",
                "port": 50123,
                "post_id": "post-1",
                "mobile_id": "MID-77",
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
                "account_id": "acct-1001",
                "name": "発信者太郎",
                "address": "大阪府大阪市北区1-2-3",
                "phone": "090-1111-2222",
                "email": POSTER_EMAIL if with_email else "",
            }
        ],
        actor=SYSTEM,
        at=at,
        settings=settings,
    )


def request_body(**over: Any) -> dict[str, Any]:
    """The drafting part's example disclosure request, about post-1, as a requester sends it."""
    data: dict[str, Any] = copy.deepcopy(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    data.pop("_note", None)
    data["post_number"] = "post-1"
    data["items"] = ["name", "address", "email", "ip_port", "timestamp", "iccid"]
    data.update(over)
    return data
