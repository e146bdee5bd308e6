"""`mamori reposts consume` against a real NATS JetStream server (127.0.0.1:4222 here and in CI): replies
published on a subject are scored in batches, acknowledged after commit, and a pile-on is found; a
malformed message is dropped, not redelivered forever."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import uuid

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from mamori.cli import app
from mamori.core.command import run_async
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.reposts import store
from tests.conftest import loud_skip
from tests.factories import make_staff

NATS_URL = os.environ.get("MAMORI_TEST_NATS_URL", "nats://127.0.0.1:4222")
ABUSE = ["死ね、消えろクズ", "バカじゃねーの？頭おかしい", "お前みたいなゴミは生きてる価値ない"]


def nats_reachable() -> bool:
    host, port = NATS_URL.removeprefix("nats://").split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


async def publish(subject: str, stream: str, payloads: list[bytes]) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[subject])
    for payload in payloads:
        await js.publish(subject, payload)
    await nc.drain()


async def pending(stream: str, durable: str) -> int:
    import nats

    nc = await nats.connect(NATS_URL)
    info = await nc.jetstream().consumer_info(stream, durable)
    await nc.jetstream().delete_stream(stream)
    await nc.drain()
    return int(info.num_pending + info.num_ack_pending)


def test_consume_finds_a_pile_on_in_a_jetstream_subject(
    fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not nats_reachable():
        loud_skip(f"no NATS JetStream server at {NATS_URL}")
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        make_staff(db, ["specialist"], "specialist@example.com")
    tag = uuid.uuid4().hex[:8]
    subject, stream, durable = f"mamori.test.{tag}.replies", f"MAMORI_TEST_{tag}", f"d{tag}"
    start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    payloads = [
        json.dumps(
            {
                "ref": f"{tag}-{i}",
                "target": "@victim",
                "author": f"troll{i % 3}",
                "at": (start + dt.timedelta(minutes=i)).isoformat(),
                "text": ABUSE[i % 3],
            }
        ).encode()
        for i in range(18)
    ] + [b"{not json"]
    run_async(publish(subject, stream, payloads))
    result = CliRunner().invoke(
        app,
        [
            "reposts",
            "consume",
            "--nats",
            NATS_URL,
            "--subject",
            subject,
            "--stream",
            stream,
            "--durable",
            durable,
            "--batch",
            "7",
            "--max-messages",
            "19",
            "--as",
            "specialist@example.com",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["messages"] == 19 and report["stored"] == 18 and report["malformed"] == 1
    assert len(report["pileons"]) == 1
    with transaction(make_sessionmaker(engine)) as db:
        assert db.scalar(select(func.count()).select_from(store.ReplyRow)) == 18
        pileon = db.scalar(select(store.PileonRow))
        assert pileon is not None and pileon.target == "@victim"
    engine.dispose()
    assert run_async(pending(stream, durable)) == 0  # every message acknowledged (or terminated)
