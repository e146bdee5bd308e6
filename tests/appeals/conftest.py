"""Fixtures of the appeals tests: a case ready to be decided, and the outbox run against the test SMTP server."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.worker import deliver_due
from tests.appeals.support import POSTER_ADDRESS, REQUESTER_ADDRESS
from tests.support.smtp import MailSink, body_text
from tests.workspace import support

Delivered = dict[str, list[tuple[str, str]]]  # recipient address → (notice kind, body) of each mail


@pytest.fixture
def decided(db: Session, settings: Settings, clock: FixedClock) -> tuple[str, Measure]:
    """A case with a poster's contact, decided by the first specialist (measure set per test)."""
    support.board(db)
    support.published_criteria(db)
    case_id = support.file(db, settings, clock.now())
    support.with_poster(db, settings, case_id, clock.now())
    return case_id, Measure.REMOVE


@pytest.fixture
def deliver(
    mail: MailSink, session_factory: sessionmaker[Session], settings: Settings, clock: FixedClock
) -> Callable[[], Delivered]:
    """Run the outbox worker, then read every mail the test SMTP server received."""

    def run() -> Delivered:
        deliver_due(session_factory, settings, clock)
        return {
            address: [(m["X-Mamori-Notice"].split(";")[0], body_text(m)) for m in mail.to(address)]
            for address in (REQUESTER_ADDRESS, POSTER_ADDRESS)
        }

    return run
