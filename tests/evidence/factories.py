"""Test data for evidence (TEST FIXTURES, not demo data): staff with a role, cases, consultations, files.

`World` is one of each object a person may meet: a case, a consultation recorded by one counsellor and
shared with a second, and people in every role, so a test can ask "whose evidence, for whom?".
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.consult import service as consult
from mamori.core.audit import Actor
from mamori.core.auth import ROLES, Principal, create_api_token, create_user, start_session
from mamori.core.config import Settings
from mamori.evidence import service, store
from mamori.evidence.model import EvidenceItem
from mamori.evidence.settings import EvidenceSettings, evidence_settings
from mamori.requests import service as requests
from mamori.requests.store import ServiceRow
from mamori.web.deps import SESSION_COOKIE

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def png(colour: tuple[int, int, int] = (0, 120, 0), size: tuple[int, int] = (60, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


@dataclass
class Person:
    principal: Principal
    token: str  # API bearer token
    session: str  # browser session cookie

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def signed_in(self, client: Any) -> Any:
        """`client` with this person's session cookie (for the pages)."""
        client.cookies.set(SESSION_COOKIE, self.session)
        return client


def person(db: Session, role: str, at: dt.datetime) -> Person:
    n = next(_numbers)
    user = create_user(
        f"{role}{n}@evidence.test", f"{role} {n}", [role], PASSWORD, db=db, at=at, by=Actor.system()
    )
    token = create_api_token(user, db=db, at=at)
    session, _csrf = start_session(user, db=db, at=at)
    db.flush()  # the app's sessions share this connection and must see the account
    return Person(Principal(user.id, user.email, user.display_name, user.role_set), token, session)


def a_case(db: Session, settings: Settings, at: dt.datetime) -> str:
    """A removal request received by the platform; its case id."""
    slug = f"board{next(_numbers)}"
    db.add(ServiceRow(slug=slug, name_ja="掲示板", name_en="Board", created_at=at))
    db.flush()
    form = requests.RequestForm(
        service=slug,
        content_url="https://board.example/t/1#5",
        content_text="佐藤一郎は詐欺師だ",
        rights=["名誉権"],
        reason="事実無根で、職場で噂になっています。",
        requester=requests.Requester("佐藤一郎", "東京都千代田区1-1", "ichiro@example.jp", "03-0000-0000"),
        show_name_to_poster=False,
        declaration_true=True,
    )
    case_id = requests.file_request(form, db=db, settings=settings, at=at, by=Actor.system()).case_id
    db.flush()
    return case_id


def a_consultation(db: Session, by: Principal, settings: Settings, at: dt.datetime) -> str:
    new = consult.NewConsultation(
        channel="phone", categories=["insult"], service="x", summary="毎日書かれる。"
    )
    row = consult.record_consultation(new, by=by, db=db, at=at, secret_key=settings.secret_key)
    db.flush()
    return row.id


@dataclass
class World:
    """A case, a consultation (recorded by `author`, shared with `colleague`), and one person per role."""

    case_id: str
    consultation_id: str
    author: Person  # the counsellor who recorded the consultation
    colleague: Person  # a counsellor it was shared with
    stranger: Person  # a counsellor it was never shared with
    roles: dict[str, Person] = field(default_factory=dict)

    def who(self, name: str) -> Person:
        return {"author": self.author, "colleague": self.colleague, "stranger": self.stranger}.get(
            name
        ) or self.roles[name]


def world(db: Session, settings: Settings, at: dt.datetime) -> World:
    roles = {role: person(db, role, at) for role in ROLES}  # the supervisor exists before the record
    author, colleague, stranger = (person(db, "counsellor", at) for _ in range(3))
    record = a_consultation(db, author.principal, settings, at)
    consult.share(
        record, colleague.principal.user_id, by=author.principal, db=db, at=at, secret_key=settings.secret_key
    )
    db.flush()
    return World(a_case(db, settings, at), record, author, colleague, stranger, roles)


def upload(
    db: Session,
    settings: Settings | EvidenceSettings,
    clock: Any,
    by: Principal,
    owner_type: str,
    owner_id: str,
    content: bytes | None = None,
    name: str = "スクショ.png",
) -> EvidenceItem:
    limits = settings if isinstance(settings, EvidenceSettings) else evidence_settings(settings)
    item = service.upload(
        owner_type,
        owner_id,
        name,
        content or png(),
        by=by,
        reason="相談者が保存",
        db=db,
        settings=limits,
        clock=clock,
    )
    db.flush()
    return item


@dataclass(frozen=True)
class Snapshot:
    """What a refused request must leave as it was: items, ledger, and the files on disk."""

    items: int
    ledger: int
    files: tuple[str, ...]


def snapshot(db: Session, root: Path) -> Snapshot:
    db.expire_all()
    items = db.scalar(select(func.count()).select_from(store.EvidenceItemRow)) or 0
    entries = db.scalar(select(func.count()).select_from(store.EvidenceLedgerRow)) or 0
    files = (
        tuple(sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()))
        if root.exists()
        else ()
    )
    return Snapshot(items, entries, files)
