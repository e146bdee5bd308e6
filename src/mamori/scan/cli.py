"""`mamori detect scan`: mounted on the detect command group by mamori.cli."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mamori.core.errors import DomainError


def scan_command(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="Parquet or JSON Lines file of posts.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the flagged posts (Parquet parts).")],
    cluster: Annotated[
        str | None,
        typer.Option(
            help="A Dask scheduler address (tcp://host:8786); none: a local cluster; inline: this process."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Processes of the local cluster.")] = 2,
    id_column: Annotated[
        str, typer.Option("--id-column", help="Column (field) holding the post's id.")
    ] = "id",
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column (field) holding the post's text.")
    ] = "text",
    threshold: Annotated[
        float | None,
        typer.Option(
            min=0.0, max=1.0, help="Flag a category at this probability (default: the model's own)."
        ),
    ] = None,
) -> None:
    """Screen a platform's stored posts with the detection model; resumable (run it again after a stop)."""
    from mamori.scan.engine import scan

    def show(done: int, total: int, posts: int) -> None:
        typer.echo(f"{done}/{total} chunks, {posts:,} posts screened", err=True)

    try:
        report = scan(
            input_path,
            out,
            cluster=cluster,
            workers=workers,
            id_column=id_column,
            text_column=text_column,
            threshold=threshold,
            progress=show,
        )
    except DomainError as exc:
        typer.echo(f"{exc.ja}\n{exc.en}", err=True)
        raise typer.Exit(2) from None
    typer.echo(
        f"{report.chunks} chunks ({report.done_before} done before), {report.posts:,} posts screened now, "
        f"{report.flagged:,} flagged, {report.posts_per_second:,.0f} posts/s -> {out}"
    )
