"""The logs' job: the retention purge (never deleting what a hold covers)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.logs import service


def purge_expired(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        return service.purge(db, at=clock.now(), settings=settings)


JOBS = [Job("logs.purge", purge_expired, every=dt.timedelta(hours=1), order=80)]
