"""The consultation's job: erase the personal data of records past their retention period (hourly)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from mamori.consult.service import erase_expired
from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job


def erase_past_retention(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    with transaction(factory) as db:
        return erase_expired(db=db, at=clock.now(), retention_days=settings.consult_retention_days)


JOBS = [
    Job("consult.retention", erase_past_retention, every=dt.timedelta(hours=1), order=80, queue="retention")
]
