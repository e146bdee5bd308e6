"""`mamori reposts`: bank removals now, export and import banks (hashes only), and consume the reply
stream from NATS JetStream. Commands act `--as EMAIL` of a staff account whose roles allow it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mamori.core.clock import SystemClock
from mamori.core.command import run_async, settings_or_exit, staff_actor, unit_of_work
from mamori.reposts import exchange, service

app = typer.Typer(help="Repost fingerprint banks and pile-on detection.", no_args_is_help=True)
AsWho = Annotated[
    str, typer.Option("--as", help="The staff account that acts (its e-mail); its roles apply.")
]


@app.command("bank")
def bank() -> None:
    """Fingerprint every removal not yet banked now (the worker's `reposts.bank` job does it regularly)."""
    with unit_of_work() as (db, settings):
        changed = service.bank_removals(db=db, settings=settings, at=SystemClock().now())
        version = service.bank_version(db)
    typer.echo(f"{changed} changed; bank version {version}")


@app.command("export-bank")
def export_bank(
    out: Annotated[Path, typer.Option("--out", help="The JSON-lines file to write (hashes only, no text).")],
    as_who: AsWho,
    source: Annotated[str, typer.Option("--source", help="This platform's name in the file.")] = "",
) -> None:
    """Write the bank as hashes only (format: docs/reposts.md), for a hotline or a peer platform."""
    with unit_of_work() as (db, settings):
        lines = list(
            exchange.export_lines(
                db=db, at=SystemClock().now(), by=staff_actor(as_who, db), source=source or settings.base_url
            )
        )
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    typer.echo(f"{len(lines) - 1} fingerprints written to {out}")


@app.command("import-bank")
def import_bank(
    file: Annotated[
        Path, typer.Argument(help="A bank exported by `export-bank` (here or on a peer platform).")
    ],
    as_who: AsWho,
) -> None:
    """Import a peer's bank (replacing its earlier import). A malformed file is refused whole with file:line."""
    with unit_of_work() as (db, _settings):
        with file.open(encoding="utf-8") as fh:
            source, count, version = exchange.import_lines(
                fh, str(file), db=db, at=SystemClock().now(), by=staff_actor(as_who, db)
            )
    typer.echo(f"{count} fingerprints imported from {source}; bank version {version}")


@app.command("consume")
def consume(
    nats: Annotated[str, typer.Option("--nats", help="The NATS server, e.g. nats://127.0.0.1:4222.")],
    subject: Annotated[
        str, typer.Option("--subject", help="The subject replies and mentions are published on.")
    ],
    as_who: AsWho,
    stream: Annotated[
        str, typer.Option("--stream", help="The JetStream stream (created if missing).")
    ] = "MAMORI_REPLIES",
    durable: Annotated[
        str, typer.Option("--durable", help="The durable consumer's name.")
    ] = "mamori-pileons",
    batch: Annotated[int, typer.Option("--batch", min=1, max=1000)] = 200,
    max_messages: Annotated[
        int, typer.Option("--max-messages", help="Stop after this many (0: run on).")
    ] = 0,
    idle_seconds: Annotated[
        float, typer.Option("--idle-seconds", help="Stop when nothing came for this long (0: never).")
    ] = 0,
) -> None:
    """Consume replies from NATS JetStream in batches and watch them for pile-ons. Each message is a JSON
    reply {ref, target, author, at, text}; a batch is acknowledged only after it is committed, so a crash
    replays it (a reply seen before is skipped)."""
    from mamori.reposts import consumer

    settings = settings_or_exit()
    with unit_of_work(settings) as (db, _settings):
        actor = staff_actor(as_who, db)
    report = run_async(
        consumer.run(
            nats,
            subject,
            stream=stream,
            durable=durable,
            batch=batch,
            max_messages=max_messages,
            idle_seconds=idle_seconds,
            settings=settings,
            actor=actor,
        )
    )
    typer.echo(json.dumps(report, ensure_ascii=False))
