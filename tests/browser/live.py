"""A live mamori on a database of its own, seeded with a service, criteria and two specialists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.web.app import create_app
from mamori.worker import deliver_due
from tests.conftest import LiveServer
from tests.workspace import support


@dataclass
class Live:
    server: LiveServer
    settings: Settings
    factory: sessionmaker[Session]
    clock: FixedClock

    @property
    def url(self) -> str:
        return self.server.url

    def deliver(self) -> None:
        deliver_due(self.factory, self.settings, self.clock)


def start(database_url: str, smtp_url: str, tmp: Any) -> Live:
    clock = FixedClock(dt.datetime(2026, 4, 1, 22, 30, tzinfo=JST))
    factory = make_sessionmaker(make_engine(database_url))
    with transaction(factory) as db:
        support.board(db)
        support.published_criteria(db)
        support.staff(db, "first@staff.test", ["specialist"], "第一 専門員")
        support.staff(db, "second@staff.test", ["specialist"], "第二 専門員")
    settings = Settings(database_url=database_url, smtp_url=smtp_url, env="test", data_dir=tmp / "data")
    app = create_app(settings, clock=clock, session_factory=factory)
    server = LiveServer(app)
    app.state.settings = settings.model_copy(update={"base_url": server.url})
    return Live(server, app.state.settings, factory, clock)


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", support.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/workspace")


def fill_request_form(page: Any) -> None:
    """Fill the public request form (TEST DATA: an invented person and post) and submit it."""
    page.select_option("#service", "board")
    page.fill("#content_url", "https://board.example/t/9#1")
    page.fill("#content_text", "鈴木次郎は詐欺師で前科がある")
    page.check("input[name=rights][value=名誉権]")
    page.fill("#reason", "前科はなく詐欺もしていません。職場で噂になり困っています。")
    page.fill("#name", "鈴木次郎")
    page.fill("#address", "東京都港区1-1-1")
    page.fill("#email", "jiro@example.jp")
    page.fill("#phone", "03-0000-1111")
    page.check("input[name=show_name][value=no]")
    page.check("input[name=declaration]")
    page.click("button[type=submit]")
    try:  # the click returns once the receipt page starts loading
        page.locator("#receipt-number").wait_for()
    except Exception as exc:
        raise AssertionError(page.inner_text("main")) from exc
