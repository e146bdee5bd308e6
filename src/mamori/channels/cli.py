"""`mamori channels`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Trusted-notifier bodies and their credentials.", no_args_is_help=True)
