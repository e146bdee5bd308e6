"""`mamori council`."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="The liaison council: export a member's figures, merge members' files.", no_args_is_help=True
)
