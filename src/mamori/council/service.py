"""Use cases of the liaison council: a member exports its figures in the common file (from the consultation
records), the council imports members' files (all or nothing) and merges them into one dashboard."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mamori.consult.analysis import count_consultations
from mamori.consult.analysis import label as consult_label
from mamori.core import audit
from mamori.core.audit import Actor
from mamori.core.clock import JST
from mamori.core.errors import DomainError, Forbidden
from mamori.core.i18n import translate
from mamori.council import model, store

# The council's dimension → the consultation analysis's own (kinds of harm are its categories).
CONSULT_DIMENSION = {
    "month": "month",
    "harm": "category",
    "service": "service",
    "outcome": "outcome",
    "referral": "referral",
}


@dataclass(frozen=True)
class Merged:
    """Every member's file of a year, summed per dimension and key."""

    year: int
    members: list[tuple[str, str]]  # (member, kind)
    by: dict[str, list[tuple[str, int]]]  # dimension → [(key, total)], biggest first (months in order)
    per_member: dict[str, dict[str, int]]  # member → dimension → total

    def total(self, dimension: str) -> int:
        return sum(n for _, n in self.by.get(dimension, []))


def consultation_cells(year: int, *, db: Session) -> dict[str, Counter[str]]:
    """A consultation centre's counts of a year (JST) in the council's dimensions, from its records."""
    start, end = dt.datetime(year, 1, 1, tzinfo=JST), dt.datetime(year + 1, 1, 1, tzinfo=JST)
    since, after = count_consultations(db, since=start), count_consultations(db, since=end)
    cells = {}
    for dimension, theirs in CONSULT_DIMENSION.items():
        counts = Counter(dict(since.by[theirs]))
        counts.subtract(Counter(dict(after.by[theirs])))
        cells[dimension] = +counts  # drops zeros
    return cells


def export(year: int, member: str, member_kind: str, *, db: Session, threshold: int) -> str:
    """The member's common file for a year (small counts suppressed)."""
    if member_kind not in model.MEMBER_KINDS:
        raise DomainError(
            code="invalid",
            field="kind",
            ja="会員の種類が正しくありません。",
            en=f"member_kind must be one of {', '.join(model.MEMBER_KINDS)}.",
        )
    return model.write(member, member_kind, year, consultation_cells(year, db=db), threshold)


def import_file(
    data: bytes, file_name: str, *, db: Session, threshold: int, at: dt.datetime, by: Actor
) -> model.MemberFile:
    """Check a member's file and keep it (replacing that member's earlier file of the same year).
    A malformed file is refused with file:line and changes nothing."""
    if not by.may("council.manage"):
        raise Forbidden()
    name = file_name.rsplit("/", 1)[-1][:200] or "upload.csv"
    try:
        parsed = model.parse(data, file_name=name, threshold=threshold)
    except model.CouncilFileError as exc:
        raise DomainError(
            code="council_file", field="file", ja=f"{exc.where}: {exc.ja}", en=f"{exc.where}: {exc.en}"
        ) from None
    cells = [[d, k, n] for d in model.DIMENSIONS for k, n in sorted(parsed.cells[d].items())]
    row = store.import_of(db, parsed.member, parsed.year)
    if row is None:
        row = store.CouncilImportRow(member=parsed.member, year=parsed.year)
        db.add(row)
    row.member_kind, row.file_name, row.sha256 = parsed.member_kind, name, hashlib.sha256(data).hexdigest()
    row.cells, row.imported_at, row.imported_by = json.dumps(cells, ensure_ascii=False), at, by.ident
    db.flush()
    audit.record(
        db,
        at=at,
        actor=by,
        action="council.import",
        subject_type="council_import",
        subject_id=row.id,
        member=parsed.member,
        year=parsed.year,
    )
    return parsed


def years(*, db: Session) -> list[int]:
    return store.years(db)


def merged(year: int, *, db: Session) -> Merged:
    """The members' files of a year summed: each total is the sum of the members' published cells."""
    totals: dict[str, Counter[str]] = {d: Counter() for d in model.DIMENSIONS}
    per_member: dict[str, dict[str, int]] = {}
    members = []
    for row in store.imports_for(db, year):
        members.append((row.member, row.member_kind))
        mine: Counter[str] = Counter()
        for dimension, key, count in json.loads(row.cells):
            totals[dimension][key] += count
            mine[dimension] += count
        per_member[row.member] = dict(mine)
    by = {d: (sorted(c.items()) if d == "month" else c.most_common()) for d, c in totals.items()}
    return Merged(year, members, by, per_member)


def label(dimension: str, key: str, lang: str) -> str:
    """How a key is shown: the consultation map's names where it knows them, else the council's words."""
    known = consult_label(CONSULT_DIMENSION[dimension], key, lang)
    if known != key:
        return known
    text = translate(f"council-key:{key}", lang)
    return key if text == f"council-key:{key}" else text
