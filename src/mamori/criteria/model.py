"""Removal criteria as Art. 26 requires them. Pure rules.

情プラ法 Art. 26 (numbering of 2025-04-01): a removal (including account suspension) rests only on
criteria published beforehand, written concretely, per way of learning of the content.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class WayOfLearning(enum.StrEnum):
    REQUEST = "request"  # a removal request (Art. 22)
    OWN_DETECTION = "own_detection"
    THIRD_PARTY = "third_party"


class Measure(enum.StrEnum):
    """What a decision does to the content or account."""

    REMOVE = "remove"
    RESTRICT_VISIBILITY = "restrict_visibility"
    SUSPEND_ACCOUNT = "suspend_account"
    NO_ACTION = "no_action"

    @property
    def is_removal(self) -> bool:
        """A 送信防止措置 in the law's sense (Art. 25, 26, 27 apply)."""
        return self is not Measure.NO_ACTION


@dataclass(frozen=True)
class Clause:
    code: str  # e.g. "2.1"
    title_ja: str
    title_en: str
    text_ja: str
    text_en: str
    applies_to: tuple[WayOfLearning, ...]
    measures: tuple[Measure, ...]
    reason_template_ja: str = ""
    reason_template_en: str = ""


@dataclass(frozen=True)
class CriteriaVersion:
    id: str
    version: str
    effective_from: dt.datetime
    published_at: dt.datetime | None
    clauses: tuple[Clause, ...]

    def clause(self, code: str) -> Clause | None:
        return next((c for c in self.clauses if c.code == code), None)


class CitationError(ValueError):
    def __init__(self, code: str, ja: str, en: str, field: str) -> None:
        super().__init__(en)
        self.code, self.ja, self.en, self.field = code, ja, en, field


def check_citation(
    version: CriteriaVersion,
    clause_code: str | None,
    measure: Measure,
    at: dt.datetime,
    in_force: CriteriaVersion | None = None,
) -> Clause | None:
    """The clause a decision may rest on at `at`, or a CitationError saying why not.

    Art. 26: only the version in force at the moment of the decision (published before it, already in
    effect, and not replaced by a later one: `in_force`, from `version_in_force`); a removal must cite a
    clause that allows that measure for content learnt of by request. "No action" may cite none.
    """
    if version.published_at is None or version.published_at > at:
        raise CitationError(
            "criteria_not_published",
            f"削除基準 {version.version} は判断の時点で公表されていません。",
            f"Criteria version {version.version} was not published before this decision.",
            "criteria_version",
        )
    if version.effective_from > at:
        raise CitationError(
            "criteria_not_in_effect",
            f"削除基準 {version.version} はまだ施行されていません。",
            f"Criteria version {version.version} is not yet in effect.",
            "criteria_version",
        )
    if in_force is not None and in_force.version != version.version:
        raise CitationError(
            "criteria_replaced",
            f"削除基準 {version.version} は {in_force.version} に改定されています。判断の時点で有効な"
            f" {in_force.version} を引用してください。",
            f"Criteria version {version.version} was replaced by {in_force.version}: cite the version in force "
            "at the moment of the decision.",
            "criteria_version",
        )
    if clause_code is None:
        if measure.is_removal:
            raise CitationError(
                "clause_required",
                "削除等の措置には適用した基準の条項が必要です。",
                "A removal must cite the clause of the criteria it applies.",
                "clause",
            )
        return None
    clause = version.clause(clause_code)
    if clause is None:
        raise CitationError(
            "unknown_clause",
            f"削除基準 {version.version} に条項 {clause_code} はありません。",
            f"Criteria version {version.version} has no clause {clause_code}.",
            "clause",
        )
    if measure.is_removal and measure not in clause.measures:
        raise CitationError(
            "measure_not_allowed",
            f"条項 {clause_code} はこの措置 ({measure.value}) を定めていません。",
            f"Clause {clause_code} does not provide for this measure ({measure.value}).",
            "measure",
        )
    if measure.is_removal and WayOfLearning.REQUEST not in clause.applies_to:
        raise CitationError(
            "clause_not_for_requests",
            f"条項 {clause_code} は削除申出により知った情報には適用されません。",
            f"Clause {clause_code} does not apply to content learnt of by a removal request.",
            "clause",
        )
    return clause


def version_in_force(versions: list[CriteriaVersion], at: dt.datetime) -> CriteriaVersion | None:
    """The published version in effect at `at` (the latest effective one)."""
    eligible = [
        v for v in versions if v.published_at is not None and v.published_at <= at and v.effective_from <= at
    ]
    return max(eligible, key=lambda v: (v.effective_from, v.published_at), default=None)
