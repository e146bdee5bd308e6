"""Trusted channels, as rules: who a body is, what a key may do, when a request repeats another. Pure."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import re
import unicodedata


class BodyKind(enum.StrEnum):
    LEGAL_AFFAIRS_BUREAU = "legal_affairs_bureau"  # 法務局・地方法務局 (human-rights bodies)
    HOTLINE = "hotline"  # e.g. 誹謗中傷ホットライン (Safer Internet Association)
    OTHER = "other"


class Scope(enum.StrEnum):
    """What one key may do; a body's web sign-in may do both."""

    SUBMIT = "requests:submit"
    READ = "requests:read"


ALL_SCOPES = frozenset(Scope)
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def content_key(url: str) -> str:
    """The same post however its URL was typed (case, width, trailing slash): what identical requests share."""
    normal = " ".join(unicodedata.normalize("NFKC", url).casefold().split()).rstrip("/")
    return hashlib.sha256(normal.encode()).hexdigest()


def key_usable(*, expires_at: dt.datetime, revoked_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A key works until it is revoked or expires, whichever comes first: refused at once after."""
    return revoked_at is None and now < expires_at


def parse_scopes(text: str) -> frozenset[Scope]:
    """`requests:submit,requests:read` → scopes; ValueError naming an unknown one."""
    out = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.add(Scope(part))
        except ValueError:
            raise ValueError(f"unknown scope {part!r} (known: {', '.join(sorted(ALL_SCOPES))})") from None
    if not out:
        raise ValueError("at least one scope")
    return frozenset(out)
