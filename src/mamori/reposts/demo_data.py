"""【デモ】/DEMO: a bank entry shared by a peer platform, an edited repost of it waiting for review, and a
pile-on against one account driven by three others."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.reposts import pileons, service, store

SYSTEM = Actor.system()  # the demo loader acts on the platform's own behalf
SOURCE = "import:demo-peer"
REMOVED = "【デモ】渋谷の市役所で働いている山田花子は会社の金を横領している。証拠もある。みんな拡散して"
REPOST = "【デモ】渋谷の市役所で働いてるﾔﾏﾀﾞ花子は\n会社の金を横領している😡😡 証拠もある！！みんな拡散して"
ABUSE = [
    "【デモ】死ね、消えろクズ",
    "【デモ】バカじゃねーの？頭おかしい",
    "【デモ】お前みたいなゴミは生きてる価値ない",
]


def load_demo(db: Session, *, at: dt.datetime) -> list[str]:
    if db.scalar(select(store.FingerprintRow).where(store.FingerprintRow.source == SOURCE)) is not None:
        return ["reposts demo data is already loaded (【デモ】/ DEMO)"]
    settings = Settings()
    service.add_text(
        db,
        REMOVED,
        at=at,
        version=service.bank_version(db) + 1,
        source=SOURCE,
        external_id="demo-1",
        criteria_version="2026.1",
        clause_code="2.1",
    )
    (result,) = service.check_posts(
        [service.Post("demo-post-1", REPOST, url="https://board.example/demo/1")],
        db=db,
        settings=settings,
        at=at,
        by=SYSTEM,
    )
    replies = [
        pileons.Reply(
            f"demo-reply-{i}",
            "@demo-target",
            ["@demo-a", "@demo-b", "@demo-c"][i % 3] if i < 14 else f"@demo-{i}",
            at - dt.timedelta(minutes=45) + dt.timedelta(minutes=2 * i),
            ABUSE[i % 3],
        )
        for i in range(18)
    ]
    report = pileons.ingest(replies, db=db, settings=settings, at=at, by=SYSTEM)
    return [
        f"reposts (【デモ】/DEMO): a peer's bank entry and a repost of it ({result.similarity:.0%} similar) → /reposts",
        f"  a pile-on against @demo-target ({report.abusive} abusive replies, mostly from 3 accounts) → /reposts/pileons",
    ]
