"""disclosure's job: the clocks (hearing windows start on delivery and end; provision orders whose
requester did not file within two months lapse and release their hold)."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings
from mamori.core.db import transaction
from mamori.core.jobs import Job
from mamori.disclosure import hearing, service


def sweep_clocks(factory: sessionmaker[Session], settings: Settings, clock: Clock) -> dict[str, int]:
    with transaction(factory) as db:
        now = clock.now()
        lapsed = service.sweep(db=db, settings=settings, now=now)
        ended = hearing.sweep(db=db, now=now)
    return {"provision_orders_lapsed": len(lapsed), "hearings_ended": ended}


JOBS = [Job("disclosure.clocks", sweep_clocks, order=15)]
