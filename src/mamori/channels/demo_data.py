"""【デモ】/DEMO: a 法務局 office registered as a trusted body, with a web sign-in and an API key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from mamori.channels import service, store
from mamori.core.audit import Actor

DEMO_PASSWORD = "demo-password-not-secret"  # noqa: S105 (demo accounts, printed on screen)
SYSTEM = Actor.system()  # the demo loader acts on the platform's own behalf
MEMBER = "moj@demo.example.com"


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    if store.body_by_slug(db, "demo-moj") is not None:
        return ["channels demo data is already loaded (【デモ】/ DEMO)"]
    service.add_body(
        service.NewBody(
            "demo-moj",
            "【デモ】東京法務局 人権擁護部",
            "legal_affairs_bureau",
            "jinken@demo.example.com",
            "【デモ】東京都千代田区九段南1-1-15",
            "03-0000-0000",
        ),
        db=db,
        at=at,
        by=SYSTEM,
    )
    service.add_member("demo-moj", MEMBER, "【デモ】人権擁護部 担当", DEMO_PASSWORD, db=db, at=at, by=SYSTEM)
    token, row = service.issue_key("demo-moj", valid_days=30, label="demo", db=db, at=at, by=SYSTEM)
    return [
        "channels (【デモ】/DEMO): trusted body demo-moj (法務局), sign in as "
        f"{MEMBER} / {DEMO_PASSWORD} → /channels",
        f"  its API key {row.key_id} (30 days): {token}",
    ]
