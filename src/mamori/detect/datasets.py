"""Labelled posts for training and evaluation: court cases (CC BY-NC 4.0), the inspection-toxic sample
(Apache-2.0) and a platform's own decided cases; and the split by case."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupShuffleSplit

from mamori.detect.model import Category

COURT_RIGHTS: dict[str, Category] = {
    "名誉権": Category.DEFAMATION,
    "名誉感情": Category.INSULT,
    "私生活の平穏": Category.THREAT,
    "プライバシー": Category.PRIVACY,
}


class Source(StrEnum):
    COURT_POSITIVE = "court_positive"  # the court found a right infringed
    COURT_NEGATIVE = "court_negative"  # disputed in court and not upheld: hard negatives, near criticism
    ORDINARY = "ordinary"  # board posts never disputed: easy negatives
    INSPECTION = "inspection"  # inspection-toxic sample
    PLATFORM = "platform"  # the platform's own decided cases


@dataclass(frozen=True)
class LabelledPost:
    """A post and what is known of it: labels[c] is None where the source says nothing about c."""

    text: str
    group: str
    source: Source
    labels: dict[Category, bool | None]


def read_court(path: Path) -> list[LabelledPost]:
    """The court-defamation JSONL; ordinary posts (case_id "negative") each form their own group.

    Label mapping: abuse = `infringed`; defamation = infringed and 名誉権 claimed, insult = infringed and
    名誉感情, threat = infringed and 私生活の平穏, privacy = infringed and プライバシー. The data's `rights`
    are true for 81 posts the court did *not* uphold (the rights the claimant invoked), so they are read
    only together with `infringed`. The `context` field is not read: it is not there when a post is
    scored, and it is present for 79% of the ordinary posts against 40% of the court posts, so a model
    would learn "has context = harmless" (a leak, not a signal).
    """
    posts = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            row = json.loads(line)
            case = str(row["case_id"])
            ordinary = case == "negative"
            labels: dict[Category, bool | None] = {c: False for c in Category}
            infringed = bool(row["infringed"])
            for right, category in COURT_RIGHTS.items():
                # `rights` names the rights the claimant invoked; the court upheld them only where the
                # post infringed (a disputed post not upheld is a hard negative for every category)
                labels[category] = infringed and bool(row["rights"].get(right, False))
            labels[Category.ABUSE] = infringed
            labels[Category.DISCRIMINATION] = False if ordinary else None
            source = (
                Source.ORDINARY
                if ordinary
                else Source.COURT_POSITIVE
                if row["infringed"]
                else Source.COURT_NEGATIVE
            )
            posts.append(
                LabelledPost(row["text"], f"ordinary-{i}" if ordinary else f"case-{case}", source, labels)
            )
    return posts


def read_inspection(path: Path) -> list[LabelledPost]:
    """The inspection-toxic CSV: toxic by majority; insult from 卑語, discrimination from 差別."""
    posts = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            n = int(row["annotation_num"])
            toxic = 2 * (int(row["Toxic"]) + int(row["Very Toxic"])) > n
            insult = toxic and int(row["category_卑語"]) > 0
            discrimination = toxic and 2 * int(row["category_差別"]) >= n
            labels: dict[Category, bool | None] = {
                Category.ABUSE: toxic,
                Category.INSULT: insult,
                Category.DISCRIMINATION: discrimination,
                Category.DEFAMATION: None,
                Category.THREAT: None,
                Category.PRIVACY: None,
            }
            posts.append(LabelledPost(row["text"], f"inspection-{row['id']}", Source.INSPECTION, labels))
    return posts


def read_platform_decisions(path: Path) -> list[LabelledPost]:
    """A platform's decided cases, one JSON object a line: {"case_id", "text", "categories": [...]}.

    Listed categories are positives, the others negatives; an empty list is a post found harmless.
    """
    posts = []
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if not line.strip():
                continue
            row = json.loads(line)
            found = {Category(c) for c in row.get("categories", [])}
            labels: dict[Category, bool | None] = {c: c in found for c in Category}
            labels[Category.ABUSE] = bool(found)
            posts.append(
                LabelledPost(row["text"], f"platform-{row.get('case_id', i)}", Source.PLATFORM, labels)
            )
    return posts


def inspection_path(court: Path) -> Path:
    """Where the inspection-toxic sample sits beside the court data."""
    return court.parent.parent / "inspection-toxic" / "subset.csv"


def default_sources(court: Path) -> list[LabelledPost]:
    """The court data and, when it sits beside it, the inspection-toxic sample."""
    posts = read_court(court)
    inspection = inspection_path(court)
    if inspection.is_file():
        posts += read_inspection(inspection)
    return posts


def split_by_case(
    posts: Sequence[LabelledPost], seed: int, share: float = 0.25
) -> tuple[list[int], list[int]]:
    """Indices of train and validation posts; all posts of one court case fall on the same side."""
    groups = np.array([p.group for p in posts])
    splitter = GroupShuffleSplit(n_splits=1, test_size=share, random_state=seed)
    train, valid = next(splitter.split(np.zeros(len(posts)), groups=groups))
    return sorted(train.tolist()), sorted(valid.tolist())


def labels_of(posts: Iterable[LabelledPost], category: Category) -> list[bool | None]:
    return [p.labels[category] for p in posts]
