"""A NATS JetStream consumer for the reply stream: pull a batch, ingest it in one transaction, then
acknowledge it. A malformed message is terminated (never redelivered) and counted."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from typing import Any

from pydantic import ValidationError

from mamori.core.audit import Actor
from mamori.core.clock import SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.reposts import pileons

log = logging.getLogger(__name__)


def _reply(data: bytes) -> pileons.Reply:
    obj = json.loads(data)
    at = dt.datetime.fromisoformat(str(obj["at"]))
    return pileons.Reply(
        str(obj["ref"]), str(obj["target"]), str(obj["author"]), at, str(obj.get("text", ""))
    )


async def run(
    url: str,
    subject: str,
    *,
    stream: str,
    durable: str,
    batch: int,
    max_messages: int,
    idle_seconds: float,
    settings: Settings,
    actor: Actor,
) -> dict[str, Any]:
    import nats
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.errors import NotFoundError

    nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=3)
    js = nc.jetstream()
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(name=stream, subjects=[subject])
    sub = await js.pull_subscribe(subject, durable=durable, stream=stream)
    engine = make_engine(settings.database_url)
    factory = make_sessionmaker(engine)
    clock = SystemClock()
    done = {"messages": 0, "stored": 0, "abusive": 0, "malformed": 0, "pileons": []}  # type: dict[str, Any]
    last = time.monotonic()
    try:
        while not max_messages or done["messages"] < max_messages:
            want = batch if not max_messages else min(batch, max_messages - done["messages"])
            try:
                msgs = await sub.fetch(want, timeout=1)
            except NatsTimeout:
                if idle_seconds and time.monotonic() - last > idle_seconds:
                    break
                continue
            last = time.monotonic()
            replies, good = [], []
            for msg in msgs:
                try:
                    replies.append(pileons._check(_reply(msg.data)))
                    good.append(msg)
                except (ValueError, KeyError, TypeError, ValidationError, pileons.DomainError) as exc:
                    log.warning("malformed reply on %s: %s", subject, exc)
                    done["malformed"] += 1
                    await msg.term()
            if replies:
                with transaction(factory) as db:
                    report = pileons.ingest(replies, db=db, settings=settings, at=clock.now(), by=actor)
                done["stored"] += report.stored
                done["abusive"] += report.abusive
                done["pileons"] = sorted(set(done["pileons"]) | set(report.pileons))
            for msg in good:
                await msg.ack()
            done["messages"] += len(msgs)
            await asyncio.sleep(0)
    finally:
        await nc.drain()
        engine.dispose()
    return done
