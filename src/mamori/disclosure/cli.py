"""`mamori disclosure`."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Sender-information disclosure: requests, court orders, hearings, packages.", no_args_is_help=True
)
