"""The desk's job: ask each platform's mamori about notices still waiting for an answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.hotline import service


def check_answers(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> int:
    with transaction(factory) as db:
        return service.check_open_answers(db=db, settings=settings, at=clock.now())


JOBS = [Job("hotline.check_answers", check_answers, every=dt.timedelta(hours=1), order=60)]
