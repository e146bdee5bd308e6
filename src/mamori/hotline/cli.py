"""`mamori hotline add-platform | check-answers | figures | council-export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mamori.core.clock import SystemClock, to_jst
from mamori.core.command import staff_actor, unit_of_work
from mamori.hotline import council_export, service

app = typer.Typer(help="The hotline's desk: platforms, answers, figures.", no_args_is_help=True)


@app.command("add-platform")
def add_platform(
    slug: str,
    name: Annotated[str, typer.Option()],
    as_who: Annotated[str, typer.Option("--as", help="The hotline staff account that acts.")],
    delivery: Annotated[str, typer.Option(help="api (the platform runs mamori) or letter.")] = "letter",
    api_url: str = "",
    api_key: Annotated[
        str, typer.Option(envvar="MAMORI_HOTLINE_PLATFORM_KEY", help="The key it issued.")
    ] = "",
    remote_service: str = "",
    contact_email: str = "",
    lang: str = "ja",
) -> None:
    """A platform the desk notifies (its key is encrypted at rest)."""
    with unit_of_work() as (db, settings):
        row = service.add_platform(
            service.NewPlatform(slug, name, delivery, api_url, api_key, remote_service, contact_email, lang),
            db=db,
            settings=settings,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
        typer.echo(f"{row.slug}: {row.name} ({row.delivery})")


@app.command("check-answers")
def check_answers() -> None:
    """Ask each platform's mamori about every notice still waiting for an answer."""
    with unit_of_work() as (db, settings):
        n = service.check_open_answers(db=db, settings=settings, at=SystemClock().now())
    typer.echo(f"checked {n}")


@app.command("figures")
def figures(year: Annotated[int | None, typer.Option()] = None) -> None:
    """Contacts, qualifying share, removal share per platform, reasons for not qualifying."""
    with unit_of_work() as (db, _settings):
        fig = service.figures(year or to_jst(SystemClock().now()).year, db=db)
    share = f"{fig.qualifying_share:.0%}" if fig.qualifying_share is not None else "-"
    removal = f"{fig.removal_share:.0%}" if fig.removal_share is not None else "-"
    typer.echo(
        f"{fig.year}: contacts {fig.contacts}, qualifying {fig.qualifying}/{fig.assessed} ({share}), "
        f"removed {fig.removed}/{fig.notified} ({removal})"
    )
    for p in fig.platforms:
        typer.echo(f"  {p.platform}: {p.removed}/{p.notified}")
    for reason, n in fig.reasons:
        typer.echo(f"  not qualifying, {reason}: {n}")


@app.command("council-export")
def council_file(
    year: Annotated[int, typer.Option()],
    member: Annotated[str, typer.Option(help="The member's name as the council knows it.")],
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
    kind: Annotated[str, typer.Option(help="hotline or legal_affairs_bureau.")] = "hotline",
) -> None:
    """The desk's counts in the council's common format, small counts suppressed."""
    with unit_of_work() as (db, settings):
        text = council_export.write(
            member, kind, year, service.council_cells(year, db=db), settings.council_suppression_threshold
        )
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)
