"""In a real browser, a counsellor sees only the consultations shared with them: the list leaves the
others out, a guessed address answers "not found" without a word of the record, and sharing opens it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from mamori.consult import service
from mamori.core.audit import Actor
from mamori.core.auth import Principal, create_user, start_session
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from tests.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_a_counsellor_sees_only_what_is_shared_with_them(
    browser: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    from mamori.web.app import create_app

    clock = FixedClock(dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC))
    settings = Settings(database_url=fresh_database_url, env="test", data_dir=tmp_path)
    factory = make_sessionmaker(make_engine(fresh_database_url))
    with transaction(factory) as db:
        at = clock.now()
        people = {}
        for email, name in (("author@example.jp", "相談員 甲"), ("other@example.jp", "相談員 乙")):
            user = create_user(
                email, name, ["counsellor"], "correct horse battery", db=db, at=at, by=Actor.system()
            )
            people[email] = (user, Principal(user.id, user.email, user.display_name, user.role_set))
        author, other = people["author@example.jp"], people["other@example.jp"]
        new = service.NewConsultation("phone", ["insult"], "x", "甲だけが知る相談の中身")
        record_id = service.record_consultation(
            new, by=author[1], db=db, at=at, secret_key=settings.secret_key
        ).id
        token, _ = start_session(other[0], db=db, at=at)

    with LiveServer(create_app(settings, clock=clock)) as server:
        context = browser.new_context(viewport={"width": 1024, "height": 900})
        context.add_cookies([{"name": "mamori_session", "value": token, "url": server.url}])
        page = context.new_page()
        page.goto(f"{server.url}/consult/records")
        expect(page.locator("tbody")).not_to_contain_text("侮辱")
        assert page.locator(f'a[href="/consult/records/{record_id}"]').count() == 0
        answer = page.goto(f"{server.url}/consult/records/{record_id}")
        assert answer is not None and answer.status == 404
        assert "甲だけが知る" not in page.content() and "侮辱" not in page.content()

        with transaction(factory) as db:
            service.share(
                record_id,
                other[1].user_id,
                by=author[1],
                db=db,
                at=clock.now(),
                secret_key=settings.secret_key,
            )
        page.goto(f"{server.url}/consult/records")
        page.locator(f'a[href="/consult/records/{record_id}"]').click()
        expect(page.locator("main")).to_contain_text("甲だけが知る相談の中身")
        context.close()
