"""JSON routes of the outbox for staff: what was sent, what failed, retry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy import select

from mamori.core.auth import Principal
from mamori.core.clock import to_jst
from mamori.notices import service
from mamori.notices.model import NoticeStatus
from mamori.notices.store import NoticeRow
from mamori.web.deps import AppClock, DbSession, require

router = APIRouter(prefix="/api/v1/notices", tags=["notices"])


@router.get("")
def list_notices(
    db: DbSession,
    principal: Annotated[Principal, Depends(require("notice.read"))],
    status: NoticeStatus | None = None,
) -> list[dict[str, Any]]:
    """Notices by status (e.g. `failed` for the ones staff must look at), without bodies."""
    stmt = select(NoticeRow).order_by(NoticeRow.created_at.desc()).limit(500)
    if status is not None:
        stmt = stmt.where(NoticeRow.status == status.value)
    return [
        {
            "id": n.id,
            "case_id": n.case_id,
            "kind": n.kind,
            "recipient": n.recipient,
            "status": n.status,
            "attempts": n.attempts,
            "last_error": n.last_error,
            "skip_reason": n.skip_reason,
            "created_at": to_jst(n.created_at).isoformat(),
            "sent_at": to_jst(n.sent_at).isoformat() if n.sent_at else None,
        }
        for n in db.scalars(stmt)
    ]


@router.post("/{notice_id}/retry")
def retry(
    notice_id: str,
    db: DbSession,
    clock: AppClock,
    principal: Annotated[Principal, Depends(require("notice.retry"))],
) -> dict[str, str]:
    row = service.retry(notice_id, db=db, at=clock.now())
    return {"id": row.id, "status": row.status}
