"""The repost bank's job: fingerprint every removal decided since the last run (and withdraw those an
appeal reversed), off the deciding path."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.reposts import service


def bank_removals(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    with transaction(factory) as db:
        return service.bank_removals(db=db, settings=settings, at=clock.now())


JOBS = [Job("reposts.bank", bank_removals, every=dt.timedelta(minutes=5), order=95, queue="scoring")]
