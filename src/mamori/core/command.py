"""What every `mamori` subcommand shares: one unit of work that reports domain errors and exits 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.auth import UserRow
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError


def settings_or_exit() -> Settings:
    """The settings, or a clear message naming each bad MAMORI_* variable and exit code 2 (a deployment
    must not start on a period the law does not allow, an unsafe secret, …)."""
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = (
                "MAMORI_" + "_".join(str(part) for part in error["loc"]).upper()
                if error["loc"]
                else "settings"
            )
            typer.echo(f"{name}: {error['msg']}", err=True)
        typer.echo("mamori refuses to start with these settings (see docs/settings.md).", err=True)
        raise typer.Exit(2) from None


@contextmanager
def unit_of_work(settings: Settings | None = None) -> Iterator[tuple[Session, Settings]]:
    """One transaction on MAMORI_DATABASE_URL; a domain error is printed in ja and en, exit code 2,
    and nothing is written."""
    settings = settings or settings_or_exit()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessionmaker(engine)) as db:
            yield db, settings
    except DomainError as exc:
        typer.echo(f"{exc.ja}\n{exc.en}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()


def staff_actor(email: str, db: Session) -> Actor:
    """The staff account a command acts as (`--as EMAIL`): its roles decide what the services allow,
    exactly as for the same person in the browser or through the API."""
    user = db.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if user is None or not user.active:
        raise DomainError(
            code="unknown_staff",
            field="as",
            ja=f"有効な職員アカウント {email} がありません (mamori users list で確認できます)。",
            en=f"No active staff account {email} (see `mamori users list`).",
        )
    return user.actor()


def run_async(coroutine: Any) -> Any:
    """Run a coroutine to its end from synchronous code, also where this thread already runs an event loop
    (an embedding program, a test session driving a browser): then in a thread of its own."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
