"""The operator: who runs this window, as notices name them (情プラ法 Art. 25, 27: the provider who answers).

One row, set by `mamori setup` or an administrator's page: the operator's name in Japanese and English,
the contact shown in notices (an e-mail, and optionally a postal address, a phone number, a contact
page) and the public address requests are published at. Until it is set, `operator_profile` answers
from the settings (MAMORI_PLATFORM_NAME, MAMORI_OPERATOR_EMAIL, MAMORI_BASE_URL), so a development
installation and the demo keep working.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.core.db import Base, UTCDateTime
from mamori.core.errors import DomainError, Forbidden
from mamori.core.text import refuse_control_characters

NAME_MAX = 200
EMAIL_MAX = 320
ADDRESS_MAX = 300
PHONE_MAX = 40
URL_MAX = 500
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*[0-9]$")
_ROW_ID = 1  # the one row
# How each field is named in messages (ja, en).
LABELS = {
    "name_ja": ("名称 (日本語)", "The name in Japanese"),
    "name_en": ("名称 (英語)", "The name in English"),
    "email": ("メールアドレス", "The e-mail address"),
    "postal_address": ("住所", "The postal address"),
    "phone": ("電話番号", "The phone number"),
    "contact_url": ("問い合わせページのURL", "The contact page's address"),
    "public_url": ("公開アドレス", "The public address"),
}


class OperatorRow(Base):
    """The operator of this installation: one row (id 1), or none until set up."""

    __tablename__ = "operator_profile"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=_ROW_ID)
    name_ja: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    name_en: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    email: Mapped[str] = mapped_column(String(EMAIL_MAX), nullable=False)
    postal_address: Mapped[str | None] = mapped_column(String(ADDRESS_MAX), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX), nullable=True)
    contact_url: Mapped[str | None] = mapped_column(String(URL_MAX), nullable=True)
    public_url: Mapped[str] = mapped_column(String(URL_MAX), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


@dataclass(frozen=True)
class OperatorProfile:
    """The operator as notices and pages show them. `configured` is False while it comes from the
    settings (nobody has run `mamori setup` yet)."""

    name_ja: str
    name_en: str
    email: str
    public_url: str
    postal_address: str | None = None
    phone: str | None = None
    contact_url: str | None = None
    configured: bool = False

    def name(self, lang: str) -> str:
        """The name in the notice's language (Japanese unless it is English)."""
        return self.name_en if lang == "en" else self.name_ja


def operator_profile(db: Session, settings: Settings) -> OperatorProfile:
    """The operator that was set up, or, until then, the one the settings describe."""
    row = db.get(OperatorRow, _ROW_ID)
    if row is None:
        return settings_profile(settings)
    return _profile(row)


def settings_profile(settings: Settings) -> OperatorProfile:
    """The operator as the settings describe it (until `mamori setup` has run)."""
    return OperatorProfile(
        name_ja=settings.platform_name,
        name_en=settings.platform_name,
        email=settings.operator_email,
        public_url=settings.base_url,
    )


def profile_columns() -> tuple[Any, ...]:
    """The operator row's columns a profile is made of, for a query that reads it with other things
    (`profile_from_columns` takes them back in this order)."""
    return (
        OperatorRow.name_ja,
        OperatorRow.name_en,
        OperatorRow.email,
        OperatorRow.public_url,
        OperatorRow.postal_address,
        OperatorRow.phone,
        OperatorRow.contact_url,
    )


def profile_from_columns(values: Sequence[Any]) -> OperatorProfile:
    name_ja, name_en, email, public_url, postal_address, phone, contact_url = values
    return OperatorProfile(
        name_ja=name_ja,
        name_en=name_en,
        email=email,
        public_url=public_url,
        postal_address=postal_address,
        phone=phone,
        contact_url=contact_url,
        configured=True,
    )


def operator_is_set_up(db: Session) -> bool:
    """Whether the operator was set up (`mamori setup` refuses to run over it without --update)."""
    return db.get(OperatorRow, _ROW_ID) is not None


def _profile(row: OperatorRow) -> OperatorProfile:
    return profile_from_columns([getattr(row, column.key) for column in profile_columns()])


def _line(value: str, *, field: str, limit: int) -> str:
    """One line of text without invisible controls, trimmed, at most `limit` characters."""
    refuse_control_characters(value, field=field, single_line=True)
    value = value.strip()
    if len(value) > limit:
        ja, en = LABELS.get(field, (field, field))
        raise DomainError(
            code="too_long",
            field=field,
            ja=f"{ja}は{limit}文字以内にしてください (今は{len(value)}文字)。",
            en=f"{en} must be at most {limit} characters (it is {len(value)}).",
        )
    return value


def check_name(value: str, *, field: str) -> str:
    """A name of the operator: one line, not empty, at most NAME_MAX characters."""
    value = _line(value, field=field, limit=NAME_MAX)
    if not value:
        ja, en = LABELS.get(field, (field, field))
        raise DomainError(
            code="required", field=field, ja=f"{ja}を入力してください。", en=f"{en} is required."
        )
    return value


def check_email(value: str, *, field: str = "email") -> str:
    """An e-mail address that can receive mail (normalised; its domain is not looked up)."""
    value = _line(value, field=field, limit=EMAIL_MAX)
    try:
        return str(validate_email(value, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise DomainError(
            code="invalid_email",
            field=field,
            ja=f"メールアドレスとして正しくありません: {value}",
            en=f"Not an e-mail address: {value} ({exc}).",
        ) from None


def check_url(value: str, *, field: str) -> str:
    """An https:// or http:// address with a host."""
    value = _line(value, field=field, limit=URL_MAX)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("https", "http") or not host or any(c.isspace() for c in value):
        raise DomainError(
            code="invalid_url",
            field=field,
            ja=f"https:// (または http://) で始まるアドレスを入力してください: {value}",
            en=f"Give an address starting with https:// (or http://): {value}",
        )
    return value


def check_phone(value: str, *, field: str = "phone") -> str:
    """A phone number: digits, spaces, hyphens, brackets and a leading +; full-width digits become ASCII."""
    # normalised before the length is checked: NFKC can lengthen a text ("⒇" becomes "(20)")
    refuse_control_characters(value, field=field, single_line=True)
    value = _line(unicodedata.normalize("NFKC", value), field=field, limit=PHONE_MAX)
    if not _PHONE.match(value):
        raise DomainError(
            code="invalid_phone",
            field=field,
            ja=f"電話番号は数字とハイフンで入力してください: {value}",
            en=f"A phone number is digits and hyphens: {value}",
        )
    return value


OPTIONAL_FIELDS = ("postal_address", "phone", "contact_url")


def check_field(field: str, value: str | None) -> str | None:
    """One of the operator's details checked and normalised (a `DomainError` names the field); an empty
    optional detail is None. The one rule for the service, the setup file and the page."""
    if field in OPTIONAL_FIELDS and (value is None or not value.strip()):
        return None
    if value is None:
        ja, en = LABELS[field]
        raise DomainError(
            code="required", field=field, ja=f"{ja}を入力してください。", en=f"{en} is required."
        )
    if field in ("name_ja", "name_en"):
        return check_name(value, field=field)
    if field == "email":
        return check_email(value)
    if field in ("public_url", "contact_url"):
        return check_url(value, field=field)
    if field == "phone":
        return check_phone(value)
    if field == "postal_address":
        return _line(value, field=field, limit=ADDRESS_MAX)
    raise ValueError(f"the operator has no detail {field!r}")


def checked_operator(
    *,
    name_ja: str,
    name_en: str,
    email: str,
    public_url: str,
    postal_address: str | None = None,
    phone: str | None = None,
    contact_url: str | None = None,
) -> OperatorProfile:
    """The operator's details checked and normalised (no database): a `DomainError` names the field.
    Empty optional details count as not given."""
    given = {
        "name_ja": name_ja,
        "name_en": name_en,
        "email": email,
        "public_url": public_url,
        "postal_address": postal_address,
        "phone": phone,
        "contact_url": contact_url,
    }
    checked = {field: check_field(field, value) for field, value in given.items()}
    return OperatorProfile(
        name_ja=str(checked["name_ja"]),
        name_en=str(checked["name_en"]),
        email=str(checked["email"]),
        public_url=str(checked["public_url"]),
        postal_address=checked["postal_address"],
        phone=checked["phone"],
        contact_url=checked["contact_url"],
        configured=True,
    )


def set_operator(
    *,
    name_ja: str,
    name_en: str,
    email: str,
    public_url: str,
    postal_address: str | None = None,
    phone: str | None = None,
    contact_url: str | None = None,
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> OperatorProfile:
    """Set (or replace) the operator notices name; an administrator's act (`platform.manage`), audited
    with what changed."""
    if not by.may("platform.manage"):
        raise Forbidden(
            ja="運営者の情報を変更できるのは管理者だけです。",
            en="Only an administrator may change the operator's details.",
        )
    profile = checked_operator(
        name_ja=name_ja,
        name_en=name_en,
        email=email,
        public_url=public_url,
        postal_address=postal_address,
        phone=phone,
        contact_url=contact_url,
    )
    fields = {k: v for k, v in asdict(profile).items() if k != "configured"}
    row = db.get(OperatorRow, _ROW_ID)
    before = {} if row is None else {k: getattr(row, k) for k in fields}
    if row is None:
        row = OperatorRow(id=_ROW_ID, updated_at=at, **fields)
        db.add(row)
    else:
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = at
    db.flush()
    changed = {k: {"from": before.get(k), "to": v} for k, v in fields.items() if before.get(k) != v}
    audit.record(
        db,
        at=at,
        actor=by,
        action="operator.set",
        subject_type="operator",
        subject_id=str(_ROW_ID),
        changed=changed,
    )
    return profile
