"""`mamori awareness`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Awareness: the prompt's figures, the case book, lectures.", no_args_is_help=True)
