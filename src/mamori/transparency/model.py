"""The yearly report and the statement of reasons as the rules state them. Pure: no web, no database.

情プラ法 Art. 28 (numbering of 2025-04-01) and 施行規則 Art. 1(2): a designated platform publishes, each
year from April to March, how it handled removal requests: requests received, the Art. 25 notices per
kind and per reason of the request, the Art. 27 notices per type of measure and reason, other removals,
its use of automated means (AI-related technology, as the ordinance defines it) and its own evaluation.

The statement of reasons follows the EU DSA Transparency Database's published field rules (Art. 17,
24(5) DSA; the database's `StatementStoreRequest` rules): required fields, allowed values, lengths.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from mamori.core.clock import JST

SCHEMA_VERSION = "1"
EARLIEST_YEAR = 2025  # the Act's duties apply from 2025-04-01
LATEST_YEAR = 2100

ART25_KINDS = ("removed", "not_removed", "hearing_poster", "specialist_investigation", "unavoidable")
CHANNELS = ("public", "trusted", "court")
REMOVAL_MEASURES = ("remove", "restrict_visibility", "suspend_account")
INQUIRY_OUTCOMES = ("waiting", "consented", "objected", "lapsed")
APPEAL_SIDES = ("poster", "requester")


class YearError(ValueError):
    pass


def check_year(year: int) -> int:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise YearError(
            f"報告年度は{EARLIEST_YEAR}〜{LATEST_YEAR}の数字で指定してください / "
            f"the reporting year must be a number from {EARLIEST_YEAR} to {LATEST_YEAR}"
        )
    return year


def reporting_period(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of reporting year `year` as UTC: 1 April 0:00 JST to 31 March 24:00 JST of the next
    calendar year (施行規則 Art. 1(2): the year runs April to March). A case received at
    2027-03-31 23:59:59 JST belongs to 2026; one at 2027-04-01 00:00 JST to 2027."""
    check_year(year)
    start = dt.datetime(year, 4, 1, tzinfo=JST)
    end = dt.datetime(year + 1, 4, 1, tzinfo=JST)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def year_of(at: dt.datetime) -> int:
    """The reporting year an instant falls in."""
    local = at.astimezone(JST)
    return local.year if local.month >= 4 else local.year - 1


def share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600.0, 1)


# ---------------------------------------------------------------- freezing and corrections

# What is not part of a report's content: when it was computed says nothing about what happened.
VOLATILE = ("computed_at",)


def content(figures: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in figures.items() if k not in VOLATILE}


def canonical(figures: dict[str, Any]) -> str:
    """The exact text that is stored and hashed (sorted keys, no spaces, UTF-8 kept)."""
    return json.dumps(figures, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(figures: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(figures).encode("utf-8")).hexdigest()


NAME_FIELDS = ("name_ja", "name_en")  # a row's display names: not part of its key


def flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, leaf) of every figure; lists of rows are keyed by their first text field."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from flatten(value[key], f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            label = "/".join(
                str(item[k]) for k in sorted(item) if isinstance(item[k], str) and k not in NAME_FIELDS
            )
            yield from flatten(
                {k: v for k, v in item.items() if not isinstance(v, str)}, f"{prefix}[{label}]"
            )
    else:
        yield prefix, value


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure that differs between two reports: path, the published value, the corrected one."""
    old, new = dict(flatten(content(before))), dict(flatten(content(after)))
    return [
        {"path": path, "was": old.get(path), "now": new.get(path)}
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]


# ---------------------------------------------------------------- the EU DSA statement of reasons

DECISION_VISIBILITIES = (
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED",
    "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
    "DECISION_VISIBILITY_OTHER",
)
DECISION_MONETARIES = (
    "DECISION_MONETARY_SUSPENSION",
    "DECISION_MONETARY_TERMINATION",
    "DECISION_MONETARY_OTHER",
)
DECISION_PROVISIONS = (
    "DECISION_PROVISION_PARTIAL_SUSPENSION",
    "DECISION_PROVISION_TOTAL_SUSPENSION",
    "DECISION_PROVISION_PARTIAL_TERMINATION",
    "DECISION_PROVISION_TOTAL_TERMINATION",
)
DECISION_ACCOUNTS = ("DECISION_ACCOUNT_SUSPENDED", "DECISION_ACCOUNT_TERMINATED")
DECISION_GROUNDS = ("DECISION_GROUND_ILLEGAL_CONTENT", "DECISION_GROUND_INCOMPATIBLE_CONTENT")
CONTENT_TYPES = (
    "CONTENT_TYPE_APP",
    "CONTENT_TYPE_AUDIO",
    "CONTENT_TYPE_IMAGE",
    "CONTENT_TYPE_PRODUCT",
    "CONTENT_TYPE_SYNTHETIC_MEDIA",
    "CONTENT_TYPE_TEXT",
    "CONTENT_TYPE_VIDEO",
    "CONTENT_TYPE_OTHER",
)
STATEMENT_CATEGORIES = (
    "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_SELF_HARM",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
    "STATEMENT_CATEGORY_VIOLENCE",
)
# the keywords mamori uses (a subset of the database's KEYWORDS list; each is allowed there)
KEYWORDS = (
    "KEYWORD_DEFAMATION",
    "KEYWORD_CYBER_HARASSMENT",
    "KEYWORD_CYBER_STALKING",
    "KEYWORD_RIGHT_TO_BE_FORGOTTEN",
    "KEYWORD_BIOMETRIC_DATA_BREACH",
    "KEYWORD_MISSING_PROCESSING_GROUND",
    "KEYWORD_OTHER",
)
SOURCE_TYPES = (
    "SOURCE_ARTICLE_16",
    "SOURCE_TRUSTED_FLAGGER",
    "SOURCE_TYPE_OTHER_NOTIFICATION",
    "SOURCE_VOLUNTARY",
)
AUTOMATED_DETECTIONS = ("Yes", "No")
AUTOMATED_DECISIONS = (
    "AUTOMATED_DECISION_FULLY",
    "AUTOMATED_DECISION_PARTIALLY",
    "AUTOMATED_DECISION_NOT_AUTOMATED",
)
YES_NO = ("Yes", "No")

# What the database allows for each field: (kind, allowed values or max length)
MAX_LENGTH = {
    "decision_visibility_other": 500,
    "decision_monetary_other": 500,
    "category_specification_other": 500,
    "decision_ground_reference_url": 500,
    "illegal_content_legal_ground": 500,
    "illegal_content_explanation": 2000,
    "incompatible_content_ground": 500,
    "incompatible_content_explanation": 2000,
    "content_type_other": 500,
    "decision_facts": 5000,
    "source_identity": 500,
    "puid": 500,
}
ENUMS: dict[str, tuple[str, ...]] = {
    "decision_monetary": DECISION_MONETARIES,
    "decision_provision": DECISION_PROVISIONS,
    "decision_account": DECISION_ACCOUNTS,
    "account_type": ("ACCOUNT_TYPE_BUSINESS", "ACCOUNT_TYPE_PRIVATE"),
    "decision_ground": DECISION_GROUNDS,
    "incompatible_content_illegal": YES_NO,
    "category": STATEMENT_CATEGORIES,
    "source_type": SOURCE_TYPES,
    "automated_detection": AUTOMATED_DETECTIONS,
    "automated_decision": AUTOMATED_DECISIONS,
    "content_language": ("JA", "EN"),
}
LIST_ENUMS: dict[str, tuple[str, ...]] = {
    "decision_visibility": DECISION_VISIBILITIES,
    "content_type": CONTENT_TYPES,
    "category_addition": STATEMENT_CATEGORIES,
    "category_specification": KEYWORDS,
}
REQUIRED = (
    "decision_ground",
    "content_type",
    "category",
    "content_date",
    "application_date",
    "decision_facts",
    "source_type",
    "automated_detection",
    "automated_decision",
    "puid",
)
DATES = ("content_date", "application_date")
DATE_RANGE = {"content_date": ("2000-01-01", "2038-01-01"), "application_date": ("2020-01-01", "2038-01-01")}
PUID = re.compile(r"^[a-zA-Z0-9\-_]+\Z")
DECISION_FIELDS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")


def statement_errors(sor: dict[str, Any]) -> list[str]:
    """Every way `sor` breaks the DSA Transparency Database's field rules (empty: it would be accepted)."""
    errors: list[str] = []
    for field in REQUIRED:
        if sor.get(field) in (None, "", []):
            errors.append(f"{field}: required")
    if not any(sor.get(f) not in (None, []) for f in DECISION_FIELDS):
        errors.append("decision_visibility: one of " + ", ".join(DECISION_FIELDS) + " is required")
    for field, allowed in ENUMS.items():
        value = sor.get(field)
        if value is not None and value not in allowed:
            errors.append(f"{field}: {value!r} is not an allowed value")
    for field, allowed in LIST_ENUMS.items():
        value = sor.get(field)
        if value is None:
            continue
        if not isinstance(value, list):
            errors.append(f"{field}: must be a list")
            continue
        errors.extend(f"{field}: {v!r} is not an allowed value" for v in value if v not in allowed)
    for field, limit in MAX_LENGTH.items():
        value = sor.get(field)
        if isinstance(value, str) and len(value) > limit:
            errors.append(f"{field}: longer than {limit} characters")
    for field in DATES:
        value = sor.get(field)
        if value in (None, ""):
            continue
        try:
            parsed = dt.date.fromisoformat(str(value))
        except ValueError:
            errors.append(f"{field}: not YYYY-MM-DD")
            continue
        low, high = DATE_RANGE[field]
        if not (dt.date.fromisoformat(low) <= parsed <= dt.date.fromisoformat(high)) or len(str(value)) != 10:
            errors.append(f"{field}: outside {low}..{high}")
    if sor.get("puid") and not PUID.match(str(sor["puid"])):
        errors.append("puid: only letters, digits, '-' and '_'")
    ground = sor.get("decision_ground")
    pairs = {
        "DECISION_GROUND_ILLEGAL_CONTENT": ("illegal_content_legal_ground", "illegal_content_explanation"),
        "DECISION_GROUND_INCOMPATIBLE_CONTENT": (
            "incompatible_content_ground",
            "incompatible_content_explanation",
        ),
    }
    for grounded, fields in pairs.items():
        for field in fields:
            if ground == grounded and not sor.get(field):
                errors.append(f"{field}: required when decision_ground is {grounded}")
            if ground != grounded and sor.get(field):
                errors.append(f"{field}: only with decision_ground {grounded}")
    if "DECISION_VISIBILITY_OTHER" in (sor.get("decision_visibility") or []) and not sor.get(
        "decision_visibility_other"
    ):
        errors.append("decision_visibility_other: required with DECISION_VISIBILITY_OTHER")
    if sor.get("decision_monetary") == "DECISION_MONETARY_OTHER" and not sor.get("decision_monetary_other"):
        errors.append("decision_monetary_other: required with DECISION_MONETARY_OTHER")
    if "CONTENT_TYPE_OTHER" in (sor.get("content_type") or []) and not sor.get("content_type_other"):
        errors.append("content_type_other: required with CONTENT_TYPE_OTHER")
    if sor.get("source_type") == "SOURCE_VOLUNTARY" and sor.get("source_identity"):
        errors.append("source_identity: not given for SOURCE_VOLUNTARY")
    return errors


# The rights of 情プラ法 requests mapped to the DSA's categories and keywords (first right: category;
# the others: category_addition). Defamation and insult are illegal speech; privacy and portrait are
# privacy violations; peace of private life is harassment; business reputation is defamation too.
RIGHT_CATEGORY = {
    "名誉権": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DEFAMATION"),
    "名誉感情": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DEFAMATION"),
    "営業権": ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_DEFAMATION"),
    "プライバシー": (
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
        "KEYWORD_MISSING_PROCESSING_GROUND",
    ),
    "肖像権": ("STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "KEYWORD_BIOMETRIC_DATA_BREACH"),
    "私生活の平穏": ("STATEMENT_CATEGORY_CYBER_VIOLENCE", "KEYWORD_CYBER_HARASSMENT"),
    "その他": ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "KEYWORD_OTHER"),
}
MEASURE_FIELDS: dict[str, tuple[str, Any]] = {
    "remove": ("decision_visibility", ["DECISION_VISIBILITY_CONTENT_REMOVED"]),
    "restrict_visibility": ("decision_visibility", ["DECISION_VISIBILITY_CONTENT_DISABLED"]),
    "suspend_account": ("decision_account", "DECISION_ACCOUNT_SUSPENDED"),
}
SOURCE_TYPE_OF = {"web": "SOURCE_ARTICLE_16", "api": "SOURCE_ARTICLE_16", "trusted": "SOURCE_TRUSTED_FLAGGER"}


def statement_of_reasons(
    *,
    decision_id: str,
    measure: str,
    rights: list[str],
    source: str,
    decided_at: dt.datetime,
    received_at: dt.datetime,
    decided_by_person: bool,
    criteria_version: str,
    clause_code: str | None,
    clause_title_en: str,
    reason: str,
    criteria_url: str,
) -> dict[str, Any]:
    """A decision restricting content or an account, as a DSA statement of reasons.

    The ground is the platform's published criteria (Art. 26), a contractual ground; whether the
    content is also illegal is "Yes": mamori removes on a request only for an infringed right.
    The content was identified by the request, not by automated means: automated_detection is "No"
    (the abuse score only orders the queue). The post's own date is not recorded: content_date is the
    day its removal was requested, the latest it can be.
    """
    if measure not in MEASURE_FIELDS:
        raise ValueError(f"no statement of reasons for measure {measure!r}: nothing was restricted")
    categories = [RIGHT_CATEGORY.get(r, RIGHT_CATEGORY["その他"]) for r in rights] or [
        RIGHT_CATEGORY["その他"]
    ]
    category = categories[0][0]
    additions = sorted({c for c, _k in categories[1:] if c != category})
    keywords = sorted({k for _c, k in categories})
    field, value = MEASURE_FIELDS[measure]
    ground = f"Removal criteria {criteria_version}, clause {clause_code or '-'}"
    if clause_title_en:
        ground += f": {clause_title_en}"
    sor: dict[str, Any] = {
        field: value,
        "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "decision_ground_reference_url": criteria_url[:500],
        "incompatible_content_ground": ground[:500],
        "incompatible_content_explanation": reason[:2000],
        "incompatible_content_illegal": "Yes",
        "content_type": ["CONTENT_TYPE_TEXT"],
        "category": category,
        "category_specification": keywords,
        "content_date": received_at.astimezone(JST).date().isoformat(),
        "application_date": decided_at.astimezone(JST).date().isoformat(),
        "decision_facts": reason[:5000],
        "source_type": SOURCE_TYPE_OF.get(source, "SOURCE_TYPE_OTHER_NOTIFICATION"),
        "automated_detection": "No",
        "automated_decision": (
            "AUTOMATED_DECISION_NOT_AUTOMATED" if decided_by_person else "AUTOMATED_DECISION_FULLY"
        ),
        "puid": decision_id,
    }
    if additions:
        sor["category_addition"] = additions
    return sor
