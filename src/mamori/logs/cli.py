"""`mamori logs`: import, look up, holds, retention, purge and key rotation. Thin: each command opens one
unit of work and calls logs.service as the staff account named by --as (its roles apply)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Poster logs and IP assignment logs: import, look up, retention and holds.", no_args_is_help=True
)
hold_app = typer.Typer(help="Place or release a hold on the logs.", no_args_is_help=True)
app.add_typer(hold_app, name="hold")

AsOption = Annotated[str, typer.Option("--as", help="E-mail of the staff account acting (its roles apply).")]


def _time(value: str | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        typer.echo(
            f"--{name}: ISO 8601 の時刻 (例: 2026-12-01T09:30:15+09:00) / an ISO 8601 time with offset",
            err=True,
        )
        raise typer.Exit(2)
    return parsed


def _now() -> dt.datetime:
    from mamori.core.clock import SystemClock

    return SystemClock().now()


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    kind: Annotated[str, typer.Option(help="events, assignments or holders.")],
    as_email: AsOption,
    format: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by the file name).")
    ] = None,
    queue: Annotated[
        bool,
        typer.Option(
            "--queue",
            help="Hand the file to a worker (`mamori worker`, queue imports) and print the import's id at "
            "once; follow it with `mamori logs import-status ID`.",
        ),
    ] = False,
) -> None:
    """Import a JSON-lines or CSV file, streamed. A bad row is named (file:line, field, what to fix) and
    nothing of the file is written. With --queue a worker imports it (for large files)."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import imports, service

    if format not in (None, "jsonl", "csv"):
        typer.echo("--format: jsonl か csv / jsonl or csv", err=True)
        raise typer.Exit(2)
    if queue:
        fmt = format or ("csv" if file.suffix.lower() == ".csv" else "jsonl")
        with unit_of_work() as (db, settings):
            actor = staff_actor(as_email, db)
            service.may_ingest(actor)
            imports.check_request(kind, fmt)
            with file.open("rb") as handle:
                upload = imports.read_upload(
                    iter(lambda: handle.read(1024 * 1024), b""), imports.max_bytes(settings)
                )
            status = imports.request_import(
                kind, fmt, file.name, upload, by=actor, db=db, at=_now(), settings=settings
            )
        typer.echo(status.id)
        return
    with unit_of_work() as (db, settings):
        count = service.import_file(
            db,
            path=file,
            kind=kind,
            fmt=format,
            actor=staff_actor(as_email, db),
            at=_now(),
            settings=settings,
        )
    typer.echo(f"imported {count} {kind} row(s) from {file.name}")


@app.command("import-status")
def import_status(
    import_id: Annotated[str, typer.Argument(help="The id printed by `mamori logs import --queue`.")],
    as_email: AsOption,
) -> None:
    """Where a queued import stands: queued, running, done (rows stored) or failed (the bad row named).
    Exit code 0 when done, 1 when failed, 3 while it waits or runs."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import imports

    with unit_of_work() as (db, _settings):
        status = imports.import_status(import_id, by=staff_actor(as_email, db), db=db)
    typer.echo(f"{status.status}\t{status.kind}\t{status.filename}\tattempts={status.attempts}")
    if status.status == imports.DONE:
        typer.echo(f"imported {status.rows} {status.kind} row(s) from {status.filename}")
    elif status.status == imports.FAILED:
        typer.echo(status.error_ja or "")
        typer.echo(status.error_en or "")
        raise typer.Exit(1)
    else:
        raise typer.Exit(3)


@app.command("lookup")
def lookup(
    ip: Annotated[str, typer.Option(help="The IP address.")],
    at: Annotated[str, typer.Option("--at", help="The moment, ISO 8601 with offset.")],
    as_email: AsOption,
    port: Annotated[
        int | None, typer.Option(help="The source port (needed for a shared CGNAT address).")
    ] = None,
) -> None:
    """Who held IP (and port) at that moment: held (the subscriber), ambiguous or not_held."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    when = _time(at, "at")
    assert when is not None
    with unit_of_work() as (db, settings):
        answer = service.who_held(
            db, ip=ip, port=port, when=when, actor=staff_actor(as_email, db), at=_now(), settings=settings
        )
    typer.echo(f"{answer.status}\t{answer.subscriber_id or '-'}\tcandidates={answer.candidates}")
    typer.echo(answer.reason_ja)
    typer.echo(answer.reason_en)


@app.command("events")
def events(
    account_id: Annotated[str, typer.Argument(help="The account id.")],
    start: Annotated[str, typer.Option(help="From (inclusive), ISO 8601 with offset.")],
    end: Annotated[str, typer.Option(help="To (exclusive), ISO 8601 with offset.")],
    as_email: AsOption,
) -> None:
    """Every event of the account in [start, end), one per line (tab-separated)."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    t1, t2 = _time(start, "start"), _time(end, "end")
    assert t1 is not None and t2 is not None
    with unit_of_work() as (db, settings):
        found = service.events_of_account(
            db,
            account_id=account_id,
            start=t1,
            end=t2,
            actor=staff_actor(as_email, db),
            at=_now(),
            settings=settings,
        )
    for e in found:
        typer.echo(
            "\t".join(
                str(v if v is not None else "-")
                for v in (e.occurred_at.isoformat(), e.kind, e.ip, e.port, e.post_id, e.mobile_id, e.iccid)
            )
        )


@app.command("holds")
def holds(
    as_email: AsOption,
    all: Annotated[bool, typer.Option("--all", help="Released and ended holds too.")] = False,
) -> None:
    """The holds (active ones unless --all)."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    with unit_of_work() as (db, settings):
        found = service.holds(
            db, actor=staff_actor(as_email, db), at=_now(), active_only=not all, settings=settings
        )
    for h in found:
        span = f"{h.start.isoformat() if h.start else '…'}–{h.end.isoformat() if h.end else '…'}"
        state = "active" if h.active else "ended"
        typer.echo(f"{h.id}\t{state}\t{h.basis}\t{h.reference}\t{h.account_id or '-'}\t{h.ip or '-'}\t{span}")
    if not found:
        typer.echo("no holds / 保全はありません")


@hold_app.command("add")
def hold_add(
    basis: Annotated[str, typer.Option(help="erasure_order, disclosure_request or legal_officer.")],
    reference: Annotated[str, typer.Option(help="Case number or request id.")],
    as_email: AsOption,
    account: Annotated[
        str | None, typer.Option(help="Account id (or, at an access provider, subscriber id).")
    ] = None,
    ip: Annotated[str | None, typer.Option(help="IP address.")] = None,
    start: Annotated[str | None, typer.Option(help="Records from (inclusive), ISO 8601.")] = None,
    end: Annotated[str | None, typer.Option(help="Records to (exclusive), ISO 8601.")] = None,
    until: Annotated[str | None, typer.Option(help="The hold ends then (default: until released).")] = None,
) -> None:
    """Hold records against the purge (a 消去禁止命令, a disclosure request, a legal officer's decision)."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    times = _time(start, "start"), _time(end, "end"), _time(until, "until")
    with unit_of_work() as (db, settings):
        hold_id = service.place_hold(
            db,
            actor=staff_actor(as_email, db),
            at=_now(),
            basis=basis,
            reference=reference,
            account_id=account,
            ip=ip,
            start=times[0],
            end=times[1],
            until=times[2],
            settings=settings,
        )
    typer.echo(hold_id)


@hold_app.command("release")
def hold_release(
    hold_id: Annotated[str, typer.Argument()],
    reason: Annotated[str, typer.Option(help="Why the hold ends.")],
    as_email: AsOption,
) -> None:
    """End a hold: its records follow the retention period again."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    with unit_of_work() as (db, settings):
        service.release_hold(
            db, hold_id=hold_id, actor=staff_actor(as_email, db), at=_now(), reason=reason, settings=settings
        )
    typer.echo(f"released {hold_id}")


@app.command("retention")
def retention(
    kind: Annotated[str | None, typer.Option(help="events, holders or assignments.")] = None,
    days: Annotated[int | None, typer.Option(help="The new period in days.")] = None,
    as_email: Annotated[str | None, typer.Option("--as", help="Staff account (to change a period).")] = None,
) -> None:
    """Show the retention periods; with --kind, --days and --as, set one."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    with unit_of_work() as (db, settings):
        if kind is not None or days is not None:
            if kind is None or days is None or as_email is None:
                typer.echo(
                    "--kind, --days と --as をそろえてください / give --kind, --days and --as", err=True
                )
                raise typer.Exit(2)
            service.set_retention(db, kind=kind, days=days, actor=staff_actor(as_email, db), at=_now())
        periods = service.retention_days(db, settings=settings)
    for name, value in periods.items():
        typer.echo(f"{name}\t{value} days")


@app.command("purge")
def purge(
    as_email: Annotated[str | None, typer.Option("--as", help="Staff account (default: the system).")] = None,
) -> None:
    """Delete what is past its retention period, except what an active hold covers."""
    from mamori.core.command import staff_actor, unit_of_work
    from mamori.logs import service

    with unit_of_work() as (db, settings):
        actor = staff_actor(as_email, db) if as_email else None
        counts = service.purge(db, at=_now(), settings=settings, actor=actor)
    typer.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@app.command("rotate-keys")
def rotate_keys(
    batch: Annotated[int, typer.Option(help="Keys re-wrapped per transaction.")] = 500,
) -> None:
    """Re-wrap every data key under the first key of MAMORI_LOGS_KEYS, in short transactions: the logs
    stay readable throughout. Remove an old key from the setting only after this says 0 remain."""
    from mamori.core.command import unit_of_work
    from mamori.logs import service

    total = 0
    while True:
        with unit_of_work() as (db, settings):
            done = service.rotate_keys(db, at=_now(), settings=settings, limit=batch)
        total += done
        if done == 0:
            break
    with unit_of_work() as (db, settings):
        left = service.keys_not_rewrapped(db, at=_now(), settings=settings)
    typer.echo(f"re-wrapped {total} key(s); {left} remain under an older key")


@app.command("new-key")
def new_key(
    key_id: Annotated[str, typer.Option("--id", help="A name for the key, e.g. k2026.")] = "k1",
) -> None:
    """Print a fresh key entry for MAMORI_LOGS_KEYS (put it first; keep the old ones until rotated)."""
    from mamori.logs.keys import new_kek_entry

    typer.echo(new_kek_entry(key_id))
