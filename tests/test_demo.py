"""`mamori demo`: clearly labelled demo data, requests in every state, loaded once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.demo import load_demo
from mamori.requests import service as requests
from mamori.requests.store import CaseRow, ServiceRow


def test_demo_data_has_every_stage_and_says_it_is_demo(fresh_database_url: str, tmp_path: Path) -> None:
    # development delivery (mail as .eml files), as `python3 dev.py start` runs it
    settings = Settings(
        database_url=fresh_database_url, data_dir=tmp_path, smtp_url=f"file:{tmp_path / 'mail'}"
    )
    first = load_demo(settings)
    assert first[0].startswith("loaded DEMO data")
    assert load_demo(settings)[0].startswith("demo data is already loaded")  # once only
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        cases = list(db.scalars(select(CaseRow)))
        services = list(db.scalars(select(ServiceRow)))
    engine.dispose()
    assert {c.stage for c in cases} >= {"received", "in_review", "extended", "decided", "appealed"}
    assert any(c.repeat_of for c in cases)
    assert all(requests.case_texts(c, Settings()).content_text.startswith("【デモ投稿】") for c in cases)
    assert all(s.name_ja.startswith("【デモ】") and s.name_en.startswith("DEMO") for s in services)
