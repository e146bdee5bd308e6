"""`mamori council export | import | show`: the liaison council's common file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mamori.core.clock import SystemClock
from mamori.core.command import staff_actor, unit_of_work
from mamori.council import service

app = typer.Typer(help="The liaison council: members' common figures, merged.", no_args_is_help=True)


@app.command("export")
def export(
    year: Annotated[int, typer.Option()],
    member: Annotated[str, typer.Option(help="The member's name as the council knows it.")],
    kind: Annotated[
        str, typer.Option(help="consultation_centre, hotline or legal_affairs_bureau.")
    ] = "consultation_centre",
    out: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """This centre's consultation figures of a year in the common format (small counts suppressed).
    A hotline desk exports its own with `mamori hotline council-export`."""
    with unit_of_work() as (db, settings):
        text = service.export(year, member, kind, db=db, threshold=settings.council_suppression_threshold)
    if out:
        out.write_text(text, encoding="utf-8")
    else:
        typer.echo(text, nl=False)


@app.command("import")
def import_file(
    files: list[Path],
    as_who: Annotated[str, typer.Option("--as", help="The account that acts (council.manage).")],
) -> None:
    """Import members' files, all or nothing: the first malformed file is named with its line."""
    with unit_of_work() as (db, settings):
        by = staff_actor(as_who, db)
        for path in files:
            parsed = service.import_file(
                path.read_bytes(),
                path.name,
                db=db,
                threshold=settings.council_suppression_threshold,
                at=SystemClock().now(),
                by=by,
            )
            typer.echo(f"{path.name}: {parsed.member} {parsed.year}")


@app.command("show")
def show(year: Annotated[int, typer.Option()]) -> None:
    """The merged totals of a year, per dimension."""
    with unit_of_work() as (db, _settings):
        m = service.merged(year, db=db)
    typer.echo(f"{m.year}: {len(m.members)} members")
    for dimension, pairs in m.by.items():
        typer.echo(f"  {dimension}: " + ", ".join(f"{k} {n}" for k, n in pairs))
