"""`mamori logs`."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Poster logs and IP assignment logs: import, look up, retention and holds.", no_args_is_help=True
)
