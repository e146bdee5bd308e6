"""`mamori awareness`: check the case book; print the prompt's figures and the lecture statistics."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from mamori.awareness.casebook import DATA_DIR, CaseDataError, load_cases

app = typer.Typer(help="Awareness: the prompt's figures, the case book, lectures.", no_args_is_help=True)


@app.command("check")
def check(
    folder: Annotated[Path, typer.Option(help="Folder of case files (*.yaml).")] = DATA_DIR,
) -> None:
    """Check every case file (texts in ja and en, topics, age groups, source, dates); file:line on error."""
    try:
        cases = load_cases(folder)
    except CaseDataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"ok: {len(cases)} cases in {folder}")


@app.command("prompt-figures")
def prompt_figures(days: Annotated[int, typer.Option(min=1, max=366)] = 30, site: str = "") -> None:
    """Prompts shown, edited and posted anyway over the last DAYS days (JST)."""
    from mamori.awareness import service
    from mamori.awareness.model import jst_day
    from mamori.core.clock import SystemClock
    from mamori.core.command import unit_of_work

    with unit_of_work() as (db, _settings):
        until = jst_day(SystemClock().now())
        figures = service.prompt_figures(
            db=db, since=until - dt.timedelta(days=days - 1), until=until, site=site
        )
    typer.echo(" ".join(f"{k}={v}" for k, v in figures.totals.items()))


@app.command("lecture-stats")
def lecture_stats(year: Annotated[int | None, typer.Option(help="Fiscal year (年度).")] = None) -> None:
    """Lectures given and people reached, as CSV (by year, prefecture, audience and topic)."""
    from mamori.awareness import charts, service
    from mamori.core.command import unit_of_work

    with unit_of_work() as (db, _settings):
        stats = service.lecture_statistics(db=db, year=year)
    typer.echo(charts.statistics_csv(stats, "ja").lstrip("\ufeff"), nl=False)
