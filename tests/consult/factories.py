"""Test data for the counsellors' records: staff accounts and consultations."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy.orm import Session

from mamori.consult import service
from mamori.consult.model import Contact
from mamori.consult.store import ConsultationRow
from mamori.core.audit import Actor
from mamori.core.auth import Principal, UserRow, create_user, start_session

SECRET = "test-secret-for-consult-0123456789abcdef"
_numbers = itertools.count(1)


def staff(db: Session, role: str, *, at: dt.datetime) -> tuple[UserRow, Principal]:
    n = next(_numbers)
    user = create_user(
        f"{role}{n}@example.jp",
        f"{role} {n}",
        [role],
        "correct horse battery",
        db=db,
        at=at,
        by=Actor.system(),
    )
    return user, Principal(user.id, user.email, user.display_name, user.role_set)


def consultation(
    db: Session,
    by: Principal,
    *,
    at: dt.datetime,
    categories: tuple[str, ...] = ("insult",),
    service_id: str = "x",
    contact: Contact | None = None,
    summary: str = "Xで毎日「消えろ」と書かれる。",
) -> ConsultationRow:
    new = service.NewConsultation(
        channel="phone",
        categories=categories,
        service=service_id,
        summary=summary,
        advice="ミュートと通報の方法を案内した。",
        contact=contact or Contact(),
        contact_consent=contact is not None,
    )
    return service.record_consultation(new, by=by, db=db, at=at, secret_key=SECRET)


def signed_in(client: Any, db: Session, role: str, *, at: dt.datetime) -> Principal:
    """A staff member signed in on `client` (session cookie set; CSRF cookie from a rendered page)."""
    user, principal = staff(db, role, at=at)
    token, _csrf = start_session(user, db=db, at=at)
    db.flush()
    client.cookies.set("mamori_session", token)
    return principal


def csrf(client: Any) -> str:
    if not client.cookies.get("mamori_csrf"):
        client.get("/consult")
    return str(client.cookies.get("mamori_csrf")).split(".")[0]
