"""Against the real window (mamori.requests under a live server): sent, received, followed."""

from __future__ import annotations

import datetime as dt
import importlib.util

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.drafting import service
from mamori.drafting.reading import read_deletion
from tests.conftest import LiveServer, loud_skip
from tests.drafting.factories import deletion_data


def test_deletion_request_reaches_the_real_window(
    fresh_database_url: str, settings: Settings, clock: FixedClock
) -> None:
    if importlib.util.find_spec("mamori.requests.api") is None:
        loud_skip("drafting end-to-end: mamori.requests.api is not there yet")
    from mamori.requests import store as requests_store
    from mamori.web.app import create_app

    window_settings = settings.model_copy(update={"database_url": fresh_database_url})
    app = create_app(window_settings, clock=clock)
    server = LiveServer(app)
    app.state.settings = window_settings.model_copy(update={"base_url": server.url})
    factory = make_sessionmaker(make_engine(fresh_database_url))
    with transaction(factory) as db:
        db.add(
            requests_store.ServiceRow(slug="board", name_ja="掲示板", name_en="Board", created_at=clock.now())
        )
    sender = settings.model_copy(update={"allow_private_fetch": True, "database_url": fresh_database_url})
    with server, transaction(factory) as db:
        sent = service.send_deletion(
            read_deletion(deletion_data()),
            base_url=server.url,
            service="board",
            db=db,
            settings=sender,
            at=clock.now(),
            by=service.CLI_ACTOR,
        )
        assert sent.receipt_number.startswith("R-20260401-")
        assert abs(sent.received_at - clock.now()) < dt.timedelta(seconds=1)
        followed = service.refresh_status(
            sent.id, by=service.CLI_ACTOR, db=db, settings=sender, at=clock.now()
        )
        assert followed.status == "received"
