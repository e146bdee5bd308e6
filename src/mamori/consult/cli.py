"""`mamori consult check-data | tree | erase-expired | stats`: thin commands over the consultation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mamori.consult.catalogue import DATA_DIR, ConsultDataError, load_map
from mamori.consult.model import all_paths

app = typer.Typer(help="Guided consultation and the counsellors' records.", no_args_is_help=True)


@app.command("check-data")
def check_data(
    folder: Annotated[
        Path, typer.Option(help="Folder with tree.yaml, bodies.yaml, services.yaml.")
    ] = DATA_DIR,
) -> None:
    """Check the map, the bodies and the service guides; print file:line of the first mistake."""
    try:
        cmap = load_map(folder)
    except ConsultDataError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    paths = sum(1 for _ in all_paths(cmap.tree))
    sizes = f"{len(cmap.bodies)} bodies, {len(cmap.services)} services"
    typer.echo(f"ok: {len(cmap.tree.nodes)} nodes, {paths} paths, {sizes}")


@app.command("tree")
def tree(lang: Annotated[str, typer.Option(help="ja, en or ja-easy.")] = "ja") -> None:
    """Print every path of the consultation map and the help it ends on."""
    cmap = load_map(DATA_DIR)
    for path, leaf in all_paths(cmap.tree):
        node = cmap.tree.nodes[cmap.tree.start]
        steps = []
        for answer_id in path:
            answer = node.answer(answer_id)
            assert answer is not None
            steps.append(answer.label(lang))
            node = cmap.tree.nodes[answer.next]
        bodies = ", ".join(cmap.bodies[b].name(lang) for b in leaf.recommend)
        typer.echo(" → ".join(steps) + f"  ⇒  {bodies}")


@app.command("erase-expired")
def erase_expired(
    retention_days: Annotated[
        int | None, typer.Option(help="Override MAMORI_CONSULT_RETENTION_DAYS for this run.")
    ] = None,
) -> None:
    """Erase the personal data of consultations older than the retention period (counts stay)."""
    from mamori.consult import service
    from mamori.core.clock import SystemClock
    from mamori.core.config import Settings
    from mamori.core.db import make_engine, make_sessionmaker, transaction

    settings = Settings()
    days = retention_days if retention_days is not None else settings.consult_retention_days
    factory = make_sessionmaker(make_engine(settings.database_url))
    with transaction(factory) as db:
        erased = service.erase_expired(db=db, at=SystemClock().now(), retention_days=days)
    typer.echo(f"erased the personal data of {erased} consultation(s) older than {days} days")


@app.command("stats")
def stats(
    csv: Annotated[bool, typer.Option("--csv", help="CSV instead of JSON.")] = False,
    lang: Annotated[str, typer.Option(help="Labels in ja or en (CSV).")] = "ja",
) -> None:
    """Counts of consultations by month, category, service, outcome and referral."""
    from mamori.consult.analysis import count_consultations, counts_csv
    from mamori.core.config import Settings
    from mamori.core.db import make_engine, make_sessionmaker, transaction

    factory = make_sessionmaker(make_engine(Settings().database_url))
    with transaction(factory) as db:
        counts = count_consultations(db)
    if csv:
        typer.echo(counts_csv(counts, lang).lstrip("\ufeff"), nl=False)
    else:
        typer.echo(
            json.dumps(
                {"total": counts.total, "by": {k: dict(v) for k, v in counts.by.items()}}, ensure_ascii=False
            )
        )
