"""Use cases of the removal criteria: draft a version, publish it, read what was in force."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.errors import Conflict, DomainError, NotFound
from mamori.criteria import store
from mamori.criteria.model import Clause, CriteriaVersion, version_in_force


@dataclass(frozen=True)
class DraftClause:
    code: str
    title_ja: str
    title_en: str
    text_ja: str
    text_en: str
    applies_to: list[str]
    measures: list[str]
    reason_template_ja: str = ""
    reason_template_en: str = ""


def create_draft(
    version: str,
    effective_from: dt.datetime,
    clauses: list[DraftClause],
    *,
    db: Session,
    at: dt.datetime,
    by: Actor,
    summary_ja: str = "",
    summary_en: str = "",
) -> CriteriaVersion:
    """Write a new, unpublished version of the criteria."""
    if store.by_version(db, version) is not None:
        raise Conflict(
            "version_exists",
            f"版 {version} は既にあります。",
            f"Version {version} already exists.",
            "version",
        )
    if not clauses:
        raise DomainError(
            code="no_clauses",
            field="clauses",
            ja="条項を一つ以上書いてください。",
            en="Write at least one clause.",
        )
    codes = [c.code for c in clauses]
    if len(set(codes)) != len(codes):
        raise DomainError(
            code="duplicate_clause",
            field="clauses",
            ja="条項番号が重複しています。",
            en="Clause codes must be unique.",
        )
    row = store.CriteriaVersionRow(
        version=version,
        effective_from=effective_from,
        created_at=at,
        created_by=by.ident,
        summary_ja=summary_ja,
        summary_en=summary_en,
    )
    for position, clause in enumerate(clauses):
        row.clauses.append(
            store.ClauseRow(
                position=position,
                code=clause.code,
                title_ja=clause.title_ja,
                title_en=clause.title_en,
                text_ja=clause.text_ja,
                text_en=clause.text_en,
                applies_to=",".join(clause.applies_to),
                measures=",".join(clause.measures),
                reason_template_ja=clause.reason_template_ja,
                reason_template_en=clause.reason_template_en,
            )
        )
    db.add(row)
    db.flush()
    row.to_domain()  # validates enums now rather than at the first decision
    audit.record(
        db,
        at=at,
        actor=by,
        action="criteria.draft",
        subject_type="criteria",
        subject_id=row.id,
        version=version,
    )
    return row.to_domain()


def publish(version: str, *, db: Session, at: dt.datetime, by: Actor) -> CriteriaVersion:
    """Publish a version (Art. 26: criteria are published before they are applied). Irreversible."""
    row = store.by_version(db, version)
    if row is None:
        raise NotFound("criteria version", version)
    if row.published_at is not None:
        raise Conflict(
            "already_published",
            f"版 {version} は公表済みです。",
            f"Version {version} is already published; write a new version instead.",
            "version",
        )
    row.published_at = at
    audit.record(
        db,
        at=at,
        actor=by,
        action="criteria.publish",
        subject_type="criteria",
        subject_id=row.id,
        version=version,
    )
    return row.to_domain()


def get(version: str, *, db: Session) -> CriteriaVersion:
    row = store.by_version(db, version)
    if row is None:
        raise NotFound("criteria version", version)
    return row.to_domain()


def clause_title_en(db: Session, version_id: str, code: str) -> str:
    """The English title of a clause of a version (empty when there is none)."""
    row = db.scalar(
        select(store.ClauseRow).where(store.ClauseRow.version_id == version_id, store.ClauseRow.code == code)
    )
    return row.title_en if row else ""


def clause_title_ja(db: Session, version_id: str, code: str) -> str:
    """The Japanese title of a clause of a version (empty when there is none)."""
    row = db.scalar(
        select(store.ClauseRow).where(store.ClauseRow.version_id == version_id, store.ClauseRow.code == code)
    )
    return row.title_ja if row else ""


def published(*, db: Session) -> list[CriteriaVersion]:
    """Every published version, oldest first (the public history)."""
    return [r.to_domain() for r in store.all_versions(db) if r.published_at is not None]


def in_force(*, db: Session, at: dt.datetime) -> CriteriaVersion | None:
    return version_in_force(published(db=db), at)


def _clause_lines(clause: Clause, lang: str) -> list[str]:
    title = clause.title_ja if lang == "ja" else clause.title_en
    text = clause.text_ja if lang == "ja" else clause.text_en
    return [f"{clause.code} {title}", *text.splitlines(), ""]


def diff(old: str, new: str, *, db: Session, lang: str = "ja") -> list[str]:
    """Unified diff of two versions' clauses, for the public history page."""
    a, b = get(old, db=db), get(new, db=db)
    left = [line for c in a.clauses for line in _clause_lines(c, lang)]
    right = [line for c in b.clauses for line in _clause_lines(c, lang)]
    return list(difflib.unified_diff(left, right, fromfile=a.version, tofile=b.version, lineterm=""))
