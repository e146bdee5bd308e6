"""`mamori notices`: what failed to go out, and putting it back in the queue."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import unit_of_work
from mamori.notices import service
from mamori.notices.model import NoticeStatus
from mamori.notices.store import NoticeRow

app = typer.Typer(help="The outbox of notices.", no_args_is_help=True)


@app.command("list")
def list_notices(
    status: Annotated[NoticeStatus, typer.Option(help="Which notices.")] = NoticeStatus.FAILED,
) -> None:
    """Notices by status (failed by default: the ones a person must look at)."""
    with unit_of_work() as (db, _settings):
        rows = db.scalars(
            select(NoticeRow).where(NoticeRow.status == status.value).order_by(NoticeRow.created_at)
        ).all()
        for n in rows:
            typer.echo(
                f"{n.id}  {n.kind:18} {n.recipient:9} attempts {n.attempts}  "
                f"{format_jst(n.created_at, 'en')}  {n.last_error or n.skip_reason or ''}"
            )


@app.command("retry")
def retry(notice_id: str) -> None:
    """Put a failed notice back in the queue."""
    with unit_of_work() as (db, _settings):
        row = service.retry(notice_id, db=db, at=SystemClock().now())
    typer.echo(f"{row.id}: {row.status}")
