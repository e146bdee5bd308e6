"""Poster data at rest: a raw dump of every table (PostgreSQL COPY ... TO STDOUT; SQLite every table
and the file's bytes) holds no plaintext IP address, phone, e-mail, name, address or account id; key
rotation re-wraps the data keys while every row stays readable."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError
from mamori.logs import service
from mamori.logs.store import DataKeyRow
from tests.logs.factories import LEGAL, SOURCE, T0, assignment, event, holder

SECRETS = [
    "203.0.113.45",
    "198.51.100.7",
    "090-1234-5678",
    "09012345678",
    "hanako@example.jp",
    "山田花子",
    "霞が関",
    "acct-1001",
    "sub-A",
    "8981100000000000001",
]


def _keys(*names: str) -> str:
    return ",".join(f"{n}:{base64.b64encode(os.urandom(32)).decode()}" for n in names)


def test_a_raw_dump_holds_no_plaintext_poster_data(fresh_database_url: str, settings: Settings) -> None:
    settings = settings.model_copy(update={"database_url": fresh_database_url})
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        service.ingest_events(
            db,
            rows=[event(iccid="8981100000000000001"), event(kind="login", post_id=None)],
            actor=SOURCE,
            at=T0,
            settings=settings,
        )
        service.ingest_holders(
            db,
            rows=[holder(), holder(account_id="acct-2", phone="09012345678")],
            actor=SOURCE,
            at=T0,
            settings=settings,
        )
        service.ingest_assignments(db, rows=[assignment()], actor=SOURCE, at=T0, settings=settings)
        service.place_hold(
            db,
            actor=LEGAL,
            at=T0,
            basis="erasure_order",
            reference="R-1",
            account_id="acct-1001",
            ip="203.0.113.45",
            settings=settings,
        )
        # the legal officer's reads are audited without copying the values into the audit log
        service.events_of_account(
            db,
            account_id="acct-1001",
            start=T0 - dt.timedelta(days=1),
            end=T0 + dt.timedelta(days=1),
            actor=LEGAL,
            at=T0,
            settings=settings,
        )
        service.who_held(db, ip="198.51.100.7", port=None, when=T0, actor=LEGAL, at=T0, settings=settings)
        service.account_holder(db, account_id="acct-1001", actor=LEGAL, at=T0, settings=settings)

    dump = b""
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
        assert "logs_event" in tables
        if engine.dialect.name == "postgresql":
            raw = conn.connection.driver_connection
            with raw.cursor() as cur:  # type: ignore[union-attr]
                for table in tables:
                    with cur.copy(f'COPY "{table}" TO STDOUT') as copy:
                        for block in copy:
                            dump += bytes(block)
        else:
            for table in tables:
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                    dump += repr(tuple(row)).encode()
            conn.commit()  # a checkpoint runs outside any transaction
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    if fresh_database_url.startswith("sqlite"):
        path = Path(fresh_database_url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                dump += file.read_bytes()
    assert len(dump) > 1000
    for value in SECRETS:
        for encoded in {value.encode(), value.encode("utf-16-le")}:
            assert encoded not in dump, f"{value!r} found in the raw dump"


def test_rotation_rewraps_the_keys_and_the_rows_stay_readable(db: Session, settings: Settings) -> None:
    old = settings.model_copy(update={"logs_keys": _keys("k1")})
    k2 = _keys("k2")
    both = settings.model_copy(update={"logs_keys": k2 + "," + old.logs_keys})
    only_new = settings.model_copy(update={"logs_keys": k2})
    service.ingest_events(db, rows=[event()], actor=SOURCE, at=T0, settings=old)
    service.ingest_holders(db, rows=[holder()], actor=SOURCE, at=T0, settings=old)

    def read(with_settings: Settings) -> tuple[str | None, str | None]:
        db.info.pop("mamori.logs.keyring", None)  # another process: nothing cached
        found = service.post_event(db, post_id="post-1", actor=LEGAL, at=T0, settings=with_settings)
        person = service.account_holder(
            db, account_id="acct-1001", actor=LEGAL, at=T0, settings=with_settings
        )
        return (found.ip if found else None), (person.name if person else None)

    with pytest.raises(DomainError) as missing:
        read(only_new)  # the old key is still needed
    assert missing.value.code == "logs_kek_missing"
    assert read(both) == (
        "203.0.113.45",
        "山田花子",
    )  # the new key first: new data under k2, old still readable

    service.ingest_events(db, rows=[event(post_id="post-2")], actor=SOURCE, at=T0, settings=both)
    first = service.rotate_keys(db, at=T0, settings=both, limit=1)
    assert first == 1 and read(both) == ("203.0.113.45", "山田花子")  # halfway: still readable
    while service.rotate_keys(db, at=T0, settings=both, limit=1):
        pass

    assert service.keys_not_rewrapped(db, at=T0, settings=both) == 0
    assert {row.kek_id for row in db.scalars(select(DataKeyRow))} == {"k2"}
    assert read(only_new) == ("203.0.113.45", "山田花子")  # the old key can now be removed
    found = service.events_of_account(
        db,
        account_id="acct-1001",
        start=T0,
        end=T0 + dt.timedelta(seconds=1),
        actor=LEGAL,
        at=T0,
        settings=only_new,
    )
    assert len(found) == 2  # the blind index did not change


def test_a_malformed_key_setting_is_refused_clearly(db: Session, settings: Settings) -> None:
    bad = settings.model_copy(update={"logs_keys": "k1:not-base64"})
    with pytest.raises(DomainError) as refused:
        service.ingest_events(db, rows=[event()], actor=SOURCE, at=T0, settings=bad)
    assert refused.value.field == "MAMORI_LOGS_KEYS"


def test_production_refuses_to_start_without_log_keys() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="MAMORI_LOGS_KEYS"):
        Settings(env="production", secret_key="x" * 40)


def test_two_first_uses_at_once_share_one_index_key(postgres_database_url: str) -> None:
    """Two processes ingesting into an empty database at the same moment: the second waits for the
    first's blind-index key instead of making its own (which would split the indexes)."""
    import threading

    settings = Settings(database_url=postgres_database_url, env="test")  # SQLite has one writer anyway
    engine = make_engine(postgres_database_url)
    factory = make_sessionmaker(engine)
    first = factory()
    service.ingest_events(
        db=first, rows=[event()], actor=SOURCE, at=T0, settings=settings
    )  # key not committed yet
    second_done: list[int] = []

    def second() -> None:
        with transaction(factory) as db:
            second_done.append(
                service.ingest_events(
                    db, rows=[event(post_id="post-2")], actor=SOURCE, at=T0, settings=settings
                )
            )

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=1)
    assert thread.is_alive()  # waiting on the first's key
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert second_done == [1]
    with transaction(factory) as db:
        found = service.events_of_account(
            db,
            account_id="acct-1001",
            start=T0,
            end=T0 + dt.timedelta(seconds=1),
            actor=LEGAL,
            at=T0,
            settings=settings,
        )
        assert sorted(e.post_id or "" for e in found) == ["post-1", "post-2"]
    engine.dispose()
