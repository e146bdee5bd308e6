"""The evidence domain: items, what a Japanese evidence printout must show, and ledger actions.

Pure: no SQLAlchemy, no network. 削除依頼の流れ ② 「URLを控える、画像・動画の保存も重要」.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field

from mamori.core.errors import DomainError, NotFound

# The ids of cases, consultations and items are uuid4().hex (mamori.core.db.new_id).
ID_PATTERN = re.compile(r"[0-9a-f]{32}")


class OwnerType(enum.StrEnum):
    """What an item is evidence for."""

    case = "case"
    consultation = "consultation"


class Access(enum.StrEnum):
    """What a person wants to do with evidence."""

    read = "read"  # list, open, download, thumbnail, report
    change = "change"  # capture, upload, redaction, hand-over, deletion


@dataclass(frozen=True)
class Owner:
    """The case or consultation a piece of evidence belongs to."""

    type: OwnerType
    id: str


def parse_owner(owner_type: str, owner_id: str) -> Owner:
    """What the evidence is attached to, checked for form (existence and access: service.authorize)."""
    try:
        kind = OwnerType(owner_type)
    except ValueError:
        raise DomainError(
            code="evidence_owner_type",
            field="owner_type",
            ja="証拠の添付先 (owner_type) は case (案件) か consultation (相談) です。",
            en="Evidence belongs to a case or a consultation (owner_type).",
        ) from None
    if not owner_id.strip():
        raise DomainError(
            code="evidence_owner_id",
            field="owner_id",
            ja="添付先のID (owner_id) を入力してください。",
            en="Give the id of the case or consultation (owner_id).",
        )
    if not ID_PATTERN.fullmatch(owner_id):
        raise DomainError(
            code="evidence_owner_id",
            field="owner_id",
            ja="添付先のID (owner_id) が正しくありません。案件または相談のID (英数字32文字) を入力してください。",
            en="owner_id is not an id: give the 32-character id of the case or consultation.",
        )
    return Owner(kind, owner_id)


def check_item_id(item_id: str) -> str:
    """An item id from a path or a form; anything that is not an id is an item that does not exist."""
    if not ID_PATTERN.fullmatch(item_id):
        raise NotFound("evidence item", item_id[:64])
    return item_id


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
    deleted_at: dt.datetime | None = None  # its files were deleted; the item and its ledger stay


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
