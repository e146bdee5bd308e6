"""`mamori hotline`."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The hotline desk: reports, criteria, notices to platforms, figures.", no_args_is_help=True
)
