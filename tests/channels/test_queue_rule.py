"""Trusted bodies' requests are marked in the queue and ranked by the operator's rule (a setting)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.workspace import service as workspace
from tests.channels import support
from tests.workspace.support import file


def test_trusted_first_puts_trusted_requests_ahead_and_clock_keeps_the_legal_order(
    client: Any, db: Session, clock: FixedClock
) -> None:
    support.platform(db)
    settings = client.app.state.settings
    ordinary = file(db, settings, clock.now(), content_url="https://board.example/t/1")
    clock.advance(hours=1)
    token, _ = support.key(db, clock.now(), support.body(db, clock.now()))
    client.post(
        "/api/v1/channels/requests", json=support.request_json(), headers={"Authorization": f"Bearer {token}"}
    )
    by_clock = workspace.open_queue(workspace.QueueFilter(), db=db, now=clock.now(), settings=settings).items
    assert by_clock[0].case_id == ordinary
    assert [i.trusted_source for i in by_clock] == [None, "東京法務局 人権擁護部"]
    first = settings.model_copy(update={"channels_queue_rule": "trusted_first"})
    ranked = workspace.open_queue(workspace.QueueFilter(), db=db, now=clock.now(), settings=first).items
    assert [i.trusted_source for i in ranked] == ["東京法務局 人権擁護部", None]
    only = workspace.open_queue(
        workspace.QueueFilter(trusted="yes"), db=db, now=clock.now(), settings=settings
    ).items
    assert len(only) == 1
