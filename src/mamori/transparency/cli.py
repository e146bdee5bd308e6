"""`mamori report`: the yearly transparency report (Art. 28), its self-evaluation and publication, and
statements of reasons in the EU DSA Transparency Database format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer

from mamori.core.audit import Actor
from mamori.core.clock import SystemClock
from mamori.core.command import staff_actor, unit_of_work
from mamori.transparency import builds, render, service
from mamori.transparency.api import day_range

app = typer.Typer(help="Transparency reports (Art. 28) and statements of reasons.", no_args_is_help=True)

AsWho = Annotated[
    str,
    typer.Option("--as", help="The staff account acting (its roles apply); empty: the server's operator."),
]


def _actor(as_who: str, db: object) -> Actor:
    return staff_actor(as_who, db) if as_who else Actor.system()  # type: ignore[arg-type]


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        typer.echo(data.decode("utf-8"), nl=False)
    else:
        out.write_bytes(data)
        typer.echo(f"{out}: {len(data)} bytes", err=True)


@app.command("yearly")
def yearly(
    year: Annotated[int, typer.Option(help="Reporting year: 2026 is 2026-04-01 to 2027-03-31 (JST).")],
    fmt: Annotated[str, typer.Option("--format", help="html, csv, json or pdf.")] = "json",
    out: Annotated[Path | None, typer.Option(help="Write to this file (default: standard output).")] = None,
    lang: Annotated[str, typer.Option(help="ja or en (html and pdf).")] = "ja",
    as_who: AsWho = "",
) -> None:
    """Compute the Art. 28 report of a reporting year from the cases, now."""
    if fmt not in render.FORMATS:
        typer.echo(f"--format must be one of {', '.join(render.FORMATS)}", err=True)
        raise typer.Exit(2)
    if fmt == "pdf" and out is None:
        typer.echo("--format pdf needs --out FILE", err=True)
        raise typer.Exit(2)
    with unit_of_work() as (db, _settings):
        figures = service.report_for(year, db=db, at=SystemClock().now(), by=_actor(as_who, db))
        data = render.output(figures, fmt, "en" if lang == "en" else "ja")
    _write(data, out)


@app.command("evaluate")
def evaluate(
    year: Annotated[int, typer.Option(help="Reporting year.")],
    ja_file: Annotated[
        Path, typer.Option("--ja", help="A UTF-8 text file: the self-evaluation in Japanese.")
    ],
    as_who: Annotated[str, typer.Option("--as", help="The staff account writing it (report.publish).")],
    en_file: Annotated[Path | None, typer.Option("--en", help="The same in English.")] = None,
) -> None:
    """Write the operator's self-evaluation of a year (kept with the figures when published); a worker
    builds the figures again to include it."""
    try:
        text_ja = ja_file.read_text(encoding="utf-8")
        text_en = en_file.read_text(encoding="utf-8") if en_file else ""
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"cannot read: {exc}", err=True)
        raise typer.Exit(2) from exc
    with unit_of_work() as (db, _settings):
        builds.write_self_evaluation(
            year, text_ja, text_en, db=db, at=SystemClock().now(), by=staff_actor(as_who, db)
        )
    typer.echo(f"self-evaluation of {year} saved; the figures are built again by a worker")


@app.command("publish")
def publish(
    year: Annotated[int, typer.Option(help="Reporting year (it must be over).")],
    as_who: Annotated[str, typer.Option("--as", help="The staff account publishing (report.publish).")],
) -> None:
    """Publish (freeze) a year's report; published again, a dated correction of the changed figures."""
    with unit_of_work() as (db, _settings):
        edition = service.publish(year, db=db, at=SystemClock().now(), by=staff_actor(as_who, db))
    kind = "correction" if edition.is_correction else "report"
    typer.echo(f"{year} {kind} edition {edition.edition} published, sha256 {edition.sha256}")
    for change in edition.changes:
        typer.echo(f"  {change['path']}: {change['was']} -> {change['now']}")


@app.command("statements")
def statements(
    start: Annotated[dt.datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (JST).")],
    end: Annotated[dt.datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (JST), included.")],
    out: Annotated[Path, typer.Option(help="A JSON Lines file: one statement of reasons per line.")],
    as_who: AsWho = "",
) -> None:
    """Export statements of reasons (EU DSA Transparency Database format), each checked against the
    database's field rules before anything is written."""
    first, after = day_range(start.date(), end.date())
    with unit_of_work() as (db, settings):
        found = service.statements(
            first,
            after,
            db=db,
            at=SystemClock().now(),
            by=_actor(as_who, db),
            criteria_url=f"{settings.base_url.rstrip('/')}/criteria",
        )
    out.write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in found), encoding="utf-8")
    typer.echo(f"{out}: {len(found)} statements of reasons")
