"""What a capability hands to the one worker (`mamori.worker`): named jobs that run on a schedule.

Each capability lists its jobs in `<capability>/jobs.py` as `JOBS`; the worker imports an exact list of
those modules. A job opens its own transactions (one per unit of work) from the session factory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import Clock
from mamori.core.config import Settings

JobRun = Callable[[sessionmaker[Session], Settings, Clock], object]


@dataclass(frozen=True)
class Job:
    name: str
    run: JobRun
    every: dt.timedelta = dt.timedelta(0)  # 0: every round of the worker
    order: int = 50  # lower runs first within a round (deadline sweeps before delivery)
