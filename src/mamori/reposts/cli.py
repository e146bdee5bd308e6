"""`mamori reposts`."""

from __future__ import annotations

import typer

app = typer.Typer(help="Repost fingerprint banks and pile-on detection.", no_args_is_help=True)
