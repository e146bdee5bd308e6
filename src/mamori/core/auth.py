"""People, roles and permissions; passwords (Argon2), API tokens and browser sessions.

A permission is a named action (`case.decide`); each role holds a set of them. Routes declare the
permission they need, so a test can check every route against every role.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.db import Base, UTCDateTime, new_id
from mamori.core.errors import DomainError
from mamori.core.text import refuse_control_characters

ROLES = (
    "administrator",
    "specialist",  # 侵害情報調査専門員 (Art. 24)
    "reviewer",
    "legal_officer",
    "auditor",  # reads everything, changes nothing
    "counsellor",  # 相談員
    "supervisor",  # counsellors' supervisor
    "trusted_notifier",  # a trusted body (法務局 office, hotline) sending requests into this platform
    "hotline_staff",  # the hotline's own desk (a hotline or 法務局 office running mamori)
    "coordinator",  # e-ネットキャラバン lecture coordinator
    "instructor",  # e-ネットキャラバン lecturer
    "log_source",  # a machine account of the platform sending its post and account logs
)

READ_PERMISSIONS = frozenset(
    {
        "case.read",
        "criteria.read",
        "audit.read",
        "notice.read",
        "consult.read",
        "consult.stats",
        "evidence.read",
        "user.read",
        "report.read",
        "repost.read",
        "channel.read",
        "hotline.read",
        "council.read",
        "awareness.read",
    }
)
PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset(
        READ_PERMISSIONS
        | {
            "case.decide",
            "case.claim",
            "case.edit",
            "criteria.publish",
            "user.manage",
            "notice.retry",
            "inquiry.send",
            "appeal.decide",
            "evidence.capture",
            "platform.manage",  # the operator's details and the services (mamori setup, /workspace/admin)
            "report.publish",
            "channel.manage",
            "repost.manage",
            "council.manage",
            "awareness.manage",
        }
    ),
    "specialist": frozenset(
        {
            "case.read",
            "criteria.read",
            "notice.read",
            "case.decide",
            "case.claim",
            "case.edit",
            "inquiry.send",
            "appeal.decide",
            "evidence.read",
            "evidence.capture",
            "repost.read",
            "repost.review",
            "channel.read",
        }
    ),
    "reviewer": frozenset(
        {
            "case.read",
            "criteria.read",
            "notice.read",
            "case.claim",
            "case.edit",
            "evidence.read",
            "evidence.capture",
            "repost.read",
            "repost.review",
            "channel.read",
        }
    ),
    # Poster data (logs, disclosure) is for the legal officer alone: not the administrator, not the auditor.
    "legal_officer": frozenset(
        {
            "case.read",
            "criteria.read",
            "notice.read",
            "criteria.publish",
            "audit.read",
            "evidence.read",
            "disclosure.read",
            "disclosure.manage",
            "logs.ingest",
            "logs.manage",
            "report.read",
            "report.publish",
        }
    ),
    "auditor": READ_PERMISSIONS,
    "counsellor": frozenset(
        {
            "consult.read",
            "consult.record",
            "consult.stats",
            "evidence.read",
            "evidence.capture",
            "criteria.read",
            "council.read",
        }
    ),
    "supervisor": frozenset(
        {
            "consult.read",
            "consult.record",
            "consult.stats",
            "consult.manage",
            "evidence.read",
            "evidence.capture",
            "criteria.read",
            "audit.read",
            "council.read",
            "council.manage",
        }
    ),
    "trusted_notifier": frozenset({"channel.submit", "criteria.read"}),
    "hotline_staff": frozenset(
        {
            "hotline.read",
            "hotline.desk",
            "evidence.read",
            "evidence.capture",
            "criteria.read",
            "council.read",
            "council.manage",
        }
    ),
    "coordinator": frozenset({"awareness.read", "awareness.manage", "lecture.coordinate"}),
    "instructor": frozenset({"lecture.teach"}),
    "log_source": frozenset({"logs.ingest"}),
}
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
SESSION_IDLE = dt.timedelta(hours=2)
SESSION_MAX = dt.timedelta(hours=12)

_hasher = PasswordHasher()


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    email: Mapped[str] = mapped_column(String(320), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    roles: Mapped[str] = mapped_column(String(300), nullable=False)  # comma-separated ROLES
    password_hash: Mapped[str] = mapped_column(String(200), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.roles.split(",") if r)

    def actor(self) -> Actor:
        return Actor(f"user:{self.id}", self.role_set)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


class SessionRow(Base):
    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False, index=True)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    ended: Mapped[bool] = mapped_column(Boolean, default=False, nullable=False)


@dataclass(frozen=True)
class Principal:
    """A signed-in person as the routes see them."""

    user_id: str
    email: str
    display_name: str
    roles: frozenset[str]
    csrf_token: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(f"user:{self.user_id}", self.roles)

    def may(self, permission: str) -> bool:
        return any(permission in PERMISSIONS.get(role, frozenset()) for role in self.roles)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bad_roles(roles: list[str]) -> DomainError:
    return DomainError(
        code="unknown_role",
        field="roles",
        ja=f"役割が正しくありません: {', '.join(roles)} (選べるもの: {', '.join(ROLES)})",
        en=f"Unknown role(s): {', '.join(roles)} (choose from: {', '.join(ROLES)})",
    )


def create_user(
    email: str, display_name: str, roles: list[str], password: str, *, db: Session, at: dt.datetime, by: Actor
) -> UserRow:
    """Add a staff account with the given roles (passwords hashed with Argon2id)."""
    refuse_control_characters(email, field="email", single_line=True)
    refuse_control_characters(display_name, field="display_name", single_line=True)
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise _bad_roles(unknown or ["(none)"])
    if len(password) < 12:
        raise DomainError(
            code="weak_password",
            field="password",
            ja="パスワードは12文字以上にしてください。",
            en="Use a password of at least 12 characters.",
        )
    email = email.strip().lower()
    if db.scalar(select(UserRow).where(UserRow.email == email)) is not None:
        raise DomainError(
            code="user_exists",
            field="email",
            status=409,
            ja="このメールアドレスのアカウントは既にあります。",
            en="An account with this e-mail already exists.",
        )
    user = UserRow(
        email=email,
        display_name=display_name,
        roles=",".join(roles),
        password_hash=_hasher.hash(password),
        created_at=at,
    )
    db.add(user)
    db.flush()
    audit.record(
        db, at=at, actor=by, action="user.create", subject_type="user", subject_id=user.id, roles=roles
    )
    return user


def _login_failure() -> DomainError:
    # One answer for a wrong password, an unknown or inactive e-mail and a locked account, so nobody
    # learns from it which accounts exist or are locked.
    minutes = int(LOCKOUT.total_seconds() // 60)
    return DomainError(
        code="login_failed",
        status=401,
        field="password",
        ja=f"メールアドレスまたはパスワードが違います。失敗が続いた場合は、しばらく ({minutes}分ほど) "
        "待ってからもう一度お試しください。",
        en=f"Wrong e-mail or password. After repeated failures, wait a while (about {minutes} minutes) "
        "and try again.",
    )


@cache
def _stand_in_hash() -> str:
    """A hash made like every real one, checked when there is no account, so each attempt costs the same."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _password_matches(stored_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(stored_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def is_locked(user: UserRow, at: dt.datetime) -> bool:
    """Locked after MAX_FAILED_LOGINS failures, for LOCKOUT: no sign-in, session or API token until then."""
    return user.locked_until is not None and user.locked_until > at


def authenticate(email: str, password: str, *, db: Session, at: dt.datetime) -> UserRow:
    """Check a password; after MAX_FAILED_LOGINS failures the account is locked for LOCKOUT.

    Every failure is the same 401 after the same work (one Argon2 verification): an unknown e-mail,
    an inactive or locked account and a wrong password cannot be told apart.
    """
    user = db.scalar(select(UserRow).where(UserRow.email == email.strip().lower()))
    if user is None or not user.active:
        _password_matches(_stand_in_hash(), password)
        raise _login_failure()
    matches = _password_matches(user.password_hash, password)
    if is_locked(user, at):
        raise _login_failure()
    if not matches:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = at + LOCKOUT
            user.failed_logins = 0
            audit.record(
                db, at=at, actor="system", action="user.locked", subject_type="user", subject_id=user.id
            )
        raise _login_failure()
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def create_api_token(
    user: UserRow,
    *,
    db: Session,
    at: dt.datetime,
    label: str = "",
    valid_for: dt.timedelta | None = dt.timedelta(days=90),
) -> str:
    """A bearer token for the API; only its SHA-256 is stored."""
    token = "mmr_" + secrets.token_urlsafe(32)
    db.add(
        ApiTokenRow(
            token_hash=token_digest(token),
            user_id=user.id,
            label=label,
            created_at=at,
            expires_at=at + valid_for if valid_for else None,
        )
    )
    audit.record(
        db,
        at=at,
        actor=user.actor(),
        action="token.create",
        subject_type="user",
        subject_id=user.id,
        label=label,
    )
    return token


def principal_from_token(token: str, *, db: Session, at: dt.datetime) -> Principal | None:
    row = db.get(ApiTokenRow, token_digest(token))
    if row is None or row.revoked or (row.expires_at is not None and row.expires_at <= at):
        return None
    user = db.get(UserRow, row.user_id)
    if user is None or not user.active or is_locked(user, at):
        return None
    return Principal(user.id, user.email, user.display_name, user.role_set)


def start_session(user: UserRow, *, db: Session, at: dt.datetime) -> tuple[str, str]:
    """A browser session: returns (cookie value, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    db.add(
        SessionRow(
            token_hash=token_digest(token), user_id=user.id, csrf_token=csrf, created_at=at, last_seen_at=at
        )
    )
    audit.record(
        db, at=at, actor=user.actor(), action="session.start", subject_type="user", subject_id=user.id
    )
    return token, csrf


def principal_from_session(token: str, *, db: Session, at: dt.datetime) -> Principal | None:
    """The session's person, or None when it ended, idled out or outlived SESSION_MAX."""
    row = db.get(SessionRow, token_digest(token))
    if row is None or row.ended:
        return None
    if at - row.last_seen_at > SESSION_IDLE or at - row.created_at > SESSION_MAX:
        row.ended = True
        return None
    user = db.get(UserRow, row.user_id)
    if user is None or not user.active or is_locked(user, at):
        return None
    row.last_seen_at = at
    return Principal(user.id, user.email, user.display_name, user.role_set, csrf_token=row.csrf_token)


def end_session(token: str, *, db: Session) -> None:
    row = db.get(SessionRow, token_digest(token))
    if row is not None:
        row.ended = True
