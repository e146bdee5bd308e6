"""`mamori disclosure`: requests, court orders, their steps, packages, access providers and peers.

Every command acts as a staff account (`--as EMAIL`, whose roles apply: the legal officer's), in one
transaction: a refusal prints each field's problem in Japanese and English, exits 2 and writes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import staff_actor, unit_of_work
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.disclosure import chain, clocks, fields, hearing, package, service

app = typer.Typer(
    help="Sender-information disclosure: requests, court orders, hearings, packages.", no_args_is_help=True
)
order_app = typer.Typer(help="Court orders: 開示命令, 提供命令, 消去禁止命令.", no_args_is_help=True)
request_app = typer.Typer(help="Voluntary disclosure requests (発信者情報開示請求).", no_args_is_help=True)
providers_app = typer.Typer(help="Access providers by address range (for 提供命令).", no_args_is_help=True)
peers_app = typer.Typer(
    help="(Access provider) content providers that may hand orders on.", no_args_is_help=True
)
app.add_typer(order_app, name="order")
app.add_typer(request_app, name="request")
app.add_typer(providers_app, name="providers")
app.add_typer(peers_app, name="peers")

As = Annotated[str, typer.Option("--as", help="E-mail of the staff account acting (a legal officer).")]


@contextmanager
def acting(as_who: str) -> Iterator[tuple[Session, Settings, Actor]]:
    """One transaction as `as_who`; a domain error prints every field's problem (ja / en), exit 2."""
    with unit_of_work() as (db, settings):
        try:
            yield db, settings, staff_actor(as_who, db)
        except DomainError as exc:
            typer.echo(f"{exc.ja}\n{exc.en}", err=True)
            for p in exc.problems:
                typer.echo(f"  {p.field or '-'}: {p.ja} / {p.en}", err=True)
            raise typer.Exit(2) from exc


@order_app.command("add")
def order_add(
    as_who: As,
    kind: Annotated[str, typer.Option(help="disclosure_order | provision_order | preservation_order")],
    court: Annotated[str, typer.Option(help="The court, e.g. 東京地方裁判所")],
    case_number: Annotated[str, typer.Option(help="e.g. 令和8年(ヒ)第123号")],
    served_at: Annotated[str, typer.Option(help="When it was served on us, e.g. 2026-04-10T15:00:00+09:00")],
    post_id: Annotated[str, typer.Option(help="The post it is about")] = "",
    account_id: Annotated[str, typer.Option(help="The account it is about")] = "",
    ip: Annotated[str, typer.Option(help="The IP address it names")] = "",
    port: Annotated[str, typer.Option(help="The source port")] = "",
    sent_at: Annotated[str, typer.Option(help="The time of sending, with the IP address")] = "",
    start: Annotated[str, typer.Option(help="Period from (optional)")] = "",
    end: Annotated[str, typer.Option(help="Period to (optional)")] = "",
    item: Annotated[list[str] | None, typer.Option(help="An item ordered disclosed (repeat)")] = None,
    recipient: Annotated[str, typer.Option(help="Who receives the disclosure (disclosure order)")] = "",
    related: Annotated[str, typer.Option(help="Number of the request it follows")] = "",
) -> None:
    """Register a court order; a 消去禁止命令 holds the logs until the case ends."""
    data: dict[str, Any] = {
        "kind": kind,
        "court": court,
        "case_number": case_number,
        "served_at": served_at,
        "post_id": post_id,
        "account_id": account_id,
        "ip": ip,
        "port": port,
        "sent_at": sent_at,
        "start": start,
        "end": end,
        "items": item or [],
        "recipient": recipient,
        "related": related,
    }
    with acting(as_who) as (db, settings, by):
        row = service.register_order(data, db=db, settings=settings, at=SystemClock().now(), by=by)
        typer.echo(f"{row.number} {row.kind} ({'logs held' if row.hold_id else 'nothing held'})")


@request_app.command("add")
def request_add(
    as_who: As,
    source: Annotated[Path, typer.Option("--in", help="The request as JSON (mamori drafting's form)")],
) -> None:
    """Register a voluntary request written with `mamori drafting` (checked for every required item)."""
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        typer.echo(f"読めません / cannot read {source}: {exc}", err=True)
        raise typer.Exit(2) from exc
    with acting(as_who) as (db, settings, by):
        row = service.submit_request(data, db=db, settings=settings, at=SystemClock().now(), by=by)
        typer.echo(f"{row.number} ({'logs held' if row.hold_id else 'nothing held'})")


@app.command("queue")
def queue(as_who: As) -> None:
    """Open matters by clock: what needs someone now first."""
    with acting(as_who) as (db, settings, by):
        for i in clocks.queue(db=db, settings=settings, now=SystemClock().now(), by=by):
            due = format_jst(i.clock.due_at, "en") if i.clock.due_at else "-"
            typer.echo(f"{i.number}  {i.kind:<18}  {i.clock.state.value:<10}  {i.clock.label}  {due}")


@app.command("hearing")
def start_hearing(as_who: As, matter: Annotated[str, typer.Argument(help="Number or id")]) -> None:
    """Send the poster the opinion hearing (Art. 6(1))."""
    with acting(as_who) as (db, settings, by):
        row = hearing.start_hearing(matter, db=db, settings=settings, at=SystemClock().now(), by=by)
        typer.echo(f"hearing sent ({row.window_days} days from delivery)")


@app.command("step")
def step(
    as_who: As,
    matter: Annotated[str, typer.Argument(help="Number or id")],
    action: Annotated[
        str,
        typer.Argument(
            help="grant | refuse | suit | suit-upheld | suit-revoked | provider | provider-told | filing | "
            "handover | end"
        ),
    ],
    at: Annotated[str, typer.Option(help="When it happened (default now)")] = "",
    reason: Annotated[str, typer.Option(help="Reason (refuse, end)")] = "",
) -> None:
    """Record the next step of a request or order."""
    now = SystemClock().now()
    with acting(as_who) as (db, settings, by):
        problems: list[Any] = []
        when = fields.moment(at, "at", problems, required=False, ja="日時", en="time") or now
        if problems:
            raise fields.invalid(problems)
        kw: dict[str, Any] = {"db": db, "settings": settings, "at": now, "by": by}
        if action in ("grant", "refuse"):
            service.decide_request(matter, action == "grant", reason, **kw)
        elif action == "suit":
            service.record_objection_suit(matter, when, **kw)
        elif action in ("suit-upheld", "suit-revoked"):
            service.record_suit_result(matter, action == "suit-upheld", **kw)
        elif action == "provider":
            found = service.identify_provider(matter, **kw)
            typer.echo(
                f"{found.name}: {found.address}" if found else "no configured provider holds this address"
            )
        elif action == "provider-told":
            chain.tell_requester_provider(matter, when, **kw)
        elif action == "filing":
            chain.record_filing_notice(matter, when, **kw)
        elif action == "handover":
            typer.echo(f"access provider answered: {chain.hand_over(matter, **kw)}")
        elif action == "end":
            service.end_matter(matter, reason, **kw)
        else:
            typer.echo(f"unknown step {action!r}", err=True)
            raise typer.Exit(2)
        typer.echo("recorded")


@app.command("package")
def produce_package(
    as_who: As,
    matter: Annotated[str, typer.Argument(help="Number or id")],
    out: Annotated[Path, typer.Option(help="Write the signed package here")],
    again: Annotated[str, typer.Option(help="Producing it again: why (recorded)")] = "",
) -> None:
    """Produce the signed disclosure package of a granted request or a final 開示命令."""
    with acting(as_who) as (db, settings, by):
        made = package.produce(
            matter, db=db, settings=settings, at=SystemClock().now(), by=by, repeat_reason=again
        )
        out.write_bytes(made.content)
        typer.echo(
            f"{out} (production {made.production.sequence}; not held: {', '.join(made.not_held) or '-'})"
        )


@app.command("verify")
def verify(file: Annotated[Path, typer.Argument(help="A package file")]) -> None:
    """Check a package's signature (exit 1 if it does not hold)."""
    problem = package.verify(file.read_bytes())
    typer.echo(problem or "signature holds")
    if problem:
        raise typer.Exit(1)


@app.command("sweep")
def sweep() -> None:
    """Run the clocks now: hearing windows, lapsed provision orders."""
    with unit_of_work() as (db, settings):
        now = SystemClock().now()
        lapsed = service.sweep(db=db, settings=settings, now=now)
        hearings = hearing.sweep(db=db, now=now)
        typer.echo(f"provision orders lapsed: {len(lapsed)}; hearings ended without answer: {hearings}")


@providers_app.command("add")
def providers_add(
    as_who: As,
    name: Annotated[str, typer.Argument()],
    address: Annotated[str, typer.Option(help="Postal address given to requesters")],
    range_: Annotated[list[str], typer.Option("--range", help="An address range it assigns (CIDR; repeat)")],
    api: Annotated[str, typer.Option("--api", help="Its mamori's address (optional)")] = "",
    key: Annotated[str, typer.Option(help="The key it gave us for its API (optional)")] = "",
) -> None:
    """Configure an access provider by the address ranges it assigns."""
    with acting(as_who) as (db, settings, by):
        row = chain.add_provider(
            name, address, range_, api, key, db=db, settings=settings, at=SystemClock().now(), by=by
        )
        typer.echo(f"{row.name}: {', '.join(range_)}")


@providers_app.command("list")
def providers_list(as_who: As) -> None:
    with acting(as_who) as (db, _settings, by):
        for p, ranges in chain.providers(db=db, by=by):
            typer.echo(f"{p.name}\t{', '.join(ranges)}\t{p.api_url or '-'}\t{p.address}")


@peers_app.command("add")
def peers_add(as_who: As, name: Annotated[str, typer.Argument(help="The content provider's name")]) -> None:
    """Let a content provider hand orders on to us; prints its key once (give it to them)."""
    with acting(as_who) as (db, _settings, by):
        key = chain.add_peer(name, db=db, at=SystemClock().now(), by=by)
        typer.echo(key)
