"""Claims: one holder at a time, lapsing when idle; two racing claims, one winner."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError
from mamori.requests import claims as service
from mamori.requests import service as requests
from tests.workspace import support


def test_a_claim_excludes_others_until_it_lapses(db: Session, settings: Settings, clock: FixedClock) -> None:
    support.board(db)
    case_id = support.file(db, settings, clock.now())
    service.claim(case_id, db=db, now=clock.now(), by=Actor("user:a"), user_id="a", settings=settings)
    with pytest.raises(DomainError) as taken:
        service.claim(case_id, db=db, now=clock.now(), by=Actor("user:b"), user_id="b", settings=settings)
    assert taken.value.code == "claimed_by_other"
    service.require_claim(
        case_id, db=db, now=clock.advance(minutes=29), user_id="a", settings=settings
    )  # activity renews it
    with pytest.raises(DomainError):
        service.claim(
            case_id, db=db, now=clock.advance(minutes=29), by=Actor("user:b"), user_id="b", settings=settings
        )
    idle = clock.advance(minutes=2)  # 31 minutes since the last action
    with pytest.raises(DomainError) as lapsed:
        service.require_claim(case_id, db=db, now=idle, user_id="a", settings=settings)
    assert lapsed.value.code == "claim_required"
    service.claim(case_id, db=db, now=idle, by=Actor("user:b"), user_id="b", settings=settings)
    service.require_claim(case_id, db=db, now=idle, user_id="b", settings=settings)


def test_two_sessions_claiming_at_once_one_wins(
    fresh_database_url: str, clock: FixedClock, tmp_path: object
) -> None:
    factory = make_sessionmaker(make_engine(fresh_database_url))
    settings = Settings(database_url=fresh_database_url, env="test")
    with transaction(factory) as db:
        support.board(db)
        case_id = support.file(db, settings, clock.now())
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(user: str) -> None:
        try:
            with transaction(factory) as db:
                start.wait()
                service.claim(
                    case_id, db=db, now=clock.now(), by=Actor(f"user:{user}"), user_id=user, settings=settings
                )
            outcomes[user] = "won"
        except DomainError as exc:
            outcomes[user] = exc.code

    threads = [threading.Thread(target=attempt, args=(u,)) for u in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values()) == ["claimed_by_other", "won"]
    with transaction(factory) as db:
        holder = requests.get_case_row(db, case_id).assignee
    assert holder == next(u for u, o in outcomes.items() if o == "won")


def test_the_idle_time_of_a_claim_is_a_setting(db: Session, settings: Settings, clock: FixedClock) -> None:
    short = settings.model_copy(update={"claim_idle_minutes": 5})
    support.board(db)
    case_id = support.file(db, short, clock.now())
    until = service.claim(case_id, db=db, now=clock.now(), by=Actor("user:a"), user_id="a", settings=short)
    assert until == clock.now() + dt.timedelta(minutes=5)
    later = clock.advance(minutes=6)
    service.claim(case_id, db=db, now=later, by=Actor("user:b"), user_id="b", settings=short)
