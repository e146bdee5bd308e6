"""The services whose removal requests this window receives: add, rename, list (an administrator's acts).

A service's slug is what a requester (or a trusted source's system) names in `POST /api/v1/removal-requests`
and what the public form sends: it is fixed once added, so links and integrations keep working; its
names in Japanese and English can change. The statutory period is one for the whole deployment
(`Settings.decision_period_days`), never a service's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.errors import Conflict, DomainError, Forbidden
from mamori.core.text import refuse_control_characters
from mamori.requests import store

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}$")
NAME_MAX = 200  # store.ServiceRow.name_ja / name_en
_NAME_LABELS = {
    "name_ja": ("サービス名 (日本語)", "The service's name in Japanese"),
    "name_en": ("サービス名 (英語)", "The service's name in English"),
}


@dataclass(frozen=True)
class Service:
    """A service as pages and commands show it."""

    slug: str
    name_ja: str
    name_en: str
    created_at: dt.datetime

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ja


def _view(row: store.ServiceRow) -> Service:
    return Service(row.slug, row.name_ja, row.name_en, row.created_at)


def check_slug(slug: str) -> str:
    """A slug: 2-59 characters of lower-case ASCII letters, digits and hyphens, not starting with a hyphen."""
    refuse_control_characters(slug, field="slug", single_line=True)
    if not SLUG.match(slug):
        raise DomainError(
            code="invalid_slug",
            field="slug",
            ja=f"スラッグ「{slug[:80]}」は使えません。半角英小文字・数字・ハイフンで2〜59文字、先頭は英数字にしてください"
            " (例: board、video-site)。",
            en=f"The slug '{slug[:80]}' cannot be used: 2-59 lower-case letters, digits and hyphens, starting with "
            "a letter or digit (e.g. board, video-site).",
        )
    return slug


def check_name(value: str, *, field: str) -> str:
    """A service's name (`name_ja` or `name_en`): one line, not empty, at most NAME_MAX characters."""
    ja, en = _NAME_LABELS[field]
    refuse_control_characters(value, field=field, single_line=True)
    value = value.strip()
    if not value:
        raise DomainError(
            code="required", field=field, ja=f"{ja}を入力してください。", en=f"{en} is required."
        )
    if len(value) > NAME_MAX:
        raise DomainError(
            code="too_long",
            field=field,
            ja=f"{ja}は{NAME_MAX}文字以内にしてください (今は{len(value)}文字)。",
            en=f"{en} must be at most {NAME_MAX} characters (it is {len(value)}).",
        )
    return value


def _may_manage(by: Actor) -> None:
    if not by.may("platform.manage"):
        raise Forbidden(
            ja="サービスを追加・変更できるのは管理者だけです。",
            en="Only an administrator may add or change services.",
        )


def _refuse_taken_names(db: Session, name_ja: str, name_en: str, *, other_than: str | None = None) -> None:
    """Requesters choose a service by its name: two services of the same name could not be told apart."""
    for row in db.scalars(select(store.ServiceRow)):
        if row.id == other_than:
            continue
        if row.name_ja == name_ja:
            raise Conflict(
                "service_name_taken",
                ja=f"サービス名「{name_ja}」は既にサービス {row.slug} で使われています。",
                en=f"The Japanese name '{name_ja}' is already used by the service {row.slug}.",
                field="name_ja",
            )
        if row.name_en.casefold() == name_en.casefold():
            raise Conflict(
                "service_name_taken",
                ja=f"英語のサービス名「{name_en}」は既にサービス {row.slug} で使われています。",
                en=f"The name '{name_en}' is already used by the service {row.slug}.",
                field="name_en",
            )


def _slug_taken(slug: str) -> Conflict:
    return Conflict(
        "service_exists",
        ja=f"サービス {slug} は既にあります (名称を変えるには mamori services update)。",
        en=f"The service {slug} already exists (to rename it: mamori services update).",
        field="slug",
    )


def add_service(slug: str, name_ja: str, name_en: str, *, db: Session, at: dt.datetime, by: Actor) -> Service:
    """Add a service whose removal requests the window receives from now on (`platform.manage`).
    The slug is fixed once added; a slug or a name already in use is refused (409)."""
    _may_manage(by)
    slug = check_slug(slug)
    name_ja = check_name(name_ja, field="name_ja")
    name_en = check_name(name_en, field="name_en")
    if store.service_by_slug(db, slug) is not None:
        raise _slug_taken(slug)
    _refuse_taken_names(db, name_ja, name_en)
    row = store.ServiceRow(slug=slug, name_ja=name_ja, name_en=name_en, created_at=at)
    try:
        with db.begin_nested():  # another administrator adding the same slug at the same moment
            db.add(row)
    except IntegrityError:
        raise _slug_taken(slug) from None
    audit.record(
        db,
        at=at,
        actor=by,
        action="service.add",
        subject_type="service",
        subject_id=row.id,
        slug=slug,
        name_ja=name_ja,
        name_en=name_en,
    )
    return _view(row)


def update_service(
    slug: str,
    *,
    name_ja: str | None = None,
    name_en: str | None = None,
    db: Session,
    at: dt.datetime,
    by: Actor,
) -> Service:
    """Rename a service in Japanese and/or English (`platform.manage`); its slug stays. Audited with the
    names before and after."""
    _may_manage(by)
    row = store.service_by_slug(db, slug)
    if row is None:
        raise DomainError(
            code="not_found",
            status=404,
            field="slug",
            ja=f"サービス {slug[:80]} はありません (mamori services list で確認できます)。",
            en=f"There is no service {slug[:80]} (see mamori services list).",
        )
    if name_ja is None and name_en is None:
        raise DomainError(
            code="nothing_to_change",
            field="name_ja",
            ja="変更する名称 (日本語または英語) を指定してください。",
            en="Give a new name in Japanese or English (or both).",
        )
    new_ja = check_name(name_ja, field="name_ja") if name_ja is not None else row.name_ja
    new_en = check_name(name_en, field="name_en") if name_en is not None else row.name_en
    _refuse_taken_names(db, new_ja, new_en, other_than=row.id)
    changed = {
        key: {"from": old, "to": new}
        for key, old, new in (("name_ja", row.name_ja, new_ja), ("name_en", row.name_en, new_en))
        if old != new
    }
    row.name_ja, row.name_en = new_ja, new_en
    db.flush()
    if changed:
        audit.record(
            db,
            at=at,
            actor=by,
            action="service.update",
            subject_type="service",
            subject_id=row.id,
            slug=slug,
            changed=changed,
        )
    return _view(row)


def list_services(db: Session) -> list[Service]:
    """Every service, by slug."""
    return [_view(row) for row in db.scalars(select(store.ServiceRow).order_by(store.ServiceRow.slug))]


def find_service(db: Session, slug: str) -> Service | None:
    """The service of this slug, or None."""
    row = store.service_by_slug(db, slug)
    return None if row is None else _view(row)
