"""The evidence domain: items, what a Japanese evidence printout must show, and ledger actions.

Pure: no SQLAlchemy, no network. 削除依頼の流れ ② 「URLを控える、画像・動画の保存も重要」.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class OwnerType(enum.StrEnum):
    """What an item is evidence for."""

    case = "case"
    consultation = "consultation"


class ItemKind(enum.StrEnum):
    capture = "capture"  # the server loaded the page itself
    upload = "upload"  # what the person saved themselves
    redaction = "redaction"  # a redacted working copy; points to its original


class LedgerAction(enum.StrEnum):
    capture = "capture"
    upload = "upload"
    redaction = "redaction"
    export = "export"
    handover = "handover"
    deletion = "deletion"


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence as other capabilities (drafting, reports) see it."""

    id: str
    kind: ItemKind
    sha256: str
    captured_at: dt.datetime
    url: str | None
    file_name: str
    owner_type: OwnerType
    owner_id: str
    media_type: str = "application/octet-stream"
    size: int = 0
    final_url: str | None = None
    http_status: int | None = None
    parent_id: str | None = None
    profile: EvidenceProfile | None = None


@dataclass(frozen=True)
class EvidenceProfile:
    """The Japanese evidence profile: what a lawyer, the police or an access provider will ask for.

    Each field holds what the page itself showed, or None when it did not show it.
    """

    url: str
    captured_at: dt.datetime  # 取得日時
    posted_at: str | None = None  # 投稿日時, as the page shows it
    poster_name: str | None = None  # 投稿者 (account name)
    poster_id: str | None = None  # 投稿者 (account id, e.g. @handle)
    permalink: str | None = None  # the post's own address, if the page names one
    permalink_captured: bool = False  # access providers ask for the post's permalink itself

    @property
    def still_needed(self) -> list[str]:
        """Fields the page did not show: the person should add them by hand."""
        return still_needed(self)


PROFILE_FIELD_LABELS = {
    "posted_at": ("投稿日時", "posting time"),
    "poster_name": ("投稿者名", "poster's account name"),
    "poster_id": ("投稿者ID", "poster's account id"),
    "permalink_captured": ("投稿そのもののURL (パーマリンク)", "the post's own URL (permalink)"),
}


def still_needed(profile: EvidenceProfile) -> list[str]:
    """Names of the profile fields that are missing (keys of PROFILE_FIELD_LABELS), in a fixed order."""
    missing = [name for name in ("posted_at", "poster_name", "poster_id") if not getattr(profile, name)]
    if not profile.permalink_captured:
        missing.append("permalink_captured")
    return missing


@dataclass(frozen=True)
class LedgerEntry:
    """One line of the append-only ledger; entry_hash covers every other field and prev_hash."""

    seq: int
    at: dt.datetime
    actor: str
    action: LedgerAction
    item_id: str
    item_sha256: str
    reason: str
    detail: dict[str, str] = field(default_factory=dict)
    prev_hash: str = ""
    entry_hash: str = ""


GENESIS_HASH = "0" * 64
