"""Append-only audit log: every change of state and every read of personal data (who, what, when).

Rows are only ever inserted. On PostgreSQL a trigger (migration 0001) refuses UPDATE and DELETE;
on SQLite the same is done with triggers, so even a direct SQL session cannot rewrite history.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Integer, String, Table, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core.db import Base, UTCDateTime


class AuditRow(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    subject_type: Mapped[str] = mapped_column(String(60), nullable=False)
    subject_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    personal_data: Mapped[bool] = mapped_column(default=False, nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user (user:<id>), the public (public:<ip>), the system, or the CLI."""

    ident: str
    roles: frozenset[str] = frozenset()

    @classmethod
    def system(cls) -> Actor:
        return cls("system")

    @property
    def user_id(self) -> str | None:
        """The staff account acting, when it is one (`user:<id>`)."""
        return self.ident[5:] if self.ident.startswith("user:") else None

    def may(self, permission: str) -> bool:
        """Whether one of the actor's roles holds `permission` (see core.auth.PERMISSIONS). The system
        (the worker, the demo loader: never a request) acts on the platform's own behalf."""
        from mamori.core.auth import PERMISSIONS

        if self.ident == "system":
            return True
        return any(permission in PERMISSIONS.get(role, frozenset()) for role in self.roles)


def record(
    db: Session,
    *,
    at: dt.datetime,
    actor: Actor | str,
    action: str,
    subject_type: str,
    subject_id: str,
    personal_data: bool = False,
    **detail: Any,
) -> None:
    """Append one entry in the caller's transaction (it lands with the change it describes)."""
    db.add(
        AuditRow(
            **entry_values(
                at=at,
                actor=actor,
                action=action,
                subject_type=subject_type,
                subject_id=subject_id,
                personal_data=personal_data,
                **detail,
            )
        )
    )


def entry(**fields: Any) -> tuple[Table, dict[str, Any]]:
    """The entry `record` would add (same keywords) as a table and a row, for a caller that writes several
    rows in one round trip (the intake path); it must land in the transaction of the change it describes."""
    return cast(Table, AuditRow.__table__), entry_values(**fields)


def entry_values(
    *,
    at: dt.datetime,
    actor: Actor | str,
    action: str,
    subject_type: str,
    subject_id: str,
    personal_data: bool = False,
    **detail: Any,
) -> dict[str, Any]:
    return {
        "at": at,
        "actor": actor.ident if isinstance(actor, Actor) else actor,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "personal_data": personal_data,
        "detail": json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
    }


def entries_for(db: Session, subject_type: str, subject_id: str) -> list[AuditRow]:
    stmt = (
        select(AuditRow)
        .where(AuditRow.subject_type == subject_type, AuditRow.subject_id == subject_id)
        .order_by(AuditRow.seq)
    )
    return list(db.scalars(stmt))
