"""The sender inquiry's job: start each window once its mail went out, close windows that ended."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.inquiry.service import sweep_inquiries


def sweep(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> object:
    with transaction(factory) as db:
        return sweep_inquiries(db=db, now=clock.now(), settings=settings)


JOBS = [Job("inquiry.windows", sweep, order=30)]
