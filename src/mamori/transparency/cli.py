"""`mamori report`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Transparency reports (Art. 28) and statements of reasons.", no_args_is_help=True)
