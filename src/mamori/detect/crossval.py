"""Grouped k-fold cross-validation by case: every figure as a mean with its spread, beside the baseline.

Each court case's posts fall in one fold (StratifiedGroupKFold on the "infringed" label; an ordinary post
or an inspection-toxic post is a group of its own). In every fold mamori and the baseline (char 1-3-gram
TF-IDF + logistic regression) are trained on the same training posts and choose their thresholds there,
on out-of-fold predictions of an inner grouped split: the test fold never sets a threshold.

Figures per fold (court posts of the test fold): precision, recall, F1, ROC-AUC and PR-AUC for
defamation (名誉権), insult (名誉感情) and infringed (any right, the abuse head); the share of court hard
negatives (disputed, not upheld) and of ordinary posts flagged as abuse (and ordinary posts with any
flag); the inspection-toxic posts of
the test fold (in-domain: inspection posts of the other folds were trained on); and a cross-domain
ROC-AUC: a second model per fold trained on the court posts of the training folds alone ranks all 437
inspection-toxic posts (label: toxic by majority of annotators) by its abuse score. For mamori, the
stream cascade too: the share of the test fold its gate passes on, the share of the full model's
flagged posts the cascade does not flag, and the share of the posts the court found infringing that the
gate holds back (labelled positives never read by the full model).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold

from mamori.detect.classifier import Detector
from mamori.detect.datasets import LabelledPost, Source
from mamori.detect.evaluation import baseline_scores
from mamori.detect.model import Category, Notice
from mamori.detect.training import fit_detector

CV_CATEGORIES: dict[str, Category] = {
    "defamation": Category.DEFAMATION,
    "insult": Category.INSULT,
    "infringed": Category.ABUSE,
}
COURT = (Source.COURT_POSITIVE, Source.COURT_NEGATIVE, Source.ORDINARY)
MAMORI = "mamori"
BASELINE = "baseline (char 1-3 TF-IDF + LR)"
# The hand-written evaluation sets (never training data), one per category the court data barely holds.
CATEGORY_SETS: dict[str, Category] = {
    "threat": Category.THREAT,
    "privacy": Category.PRIVACY,
    "discrimination": Category.DISCRIMINATION,
}


@dataclass(frozen=True)
class Spread:
    mean: float
    std: float
    min: float
    max: float
    folds: list[float]

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        a = np.array(values, dtype=float)
        ok = a[~np.isnan(a)]
        if not len(ok):
            return cls(float("nan"), float("nan"), float("nan"), float("nan"), [round(v, 4) for v in values])
        return cls(
            round(float(ok.mean()), 4),
            round(float(ok.std()), 4),
            round(float(ok.min()), 4),
            round(float(ok.max()), 4),
            [round(float(v), 4) for v in a],
        )


@dataclass(frozen=True)
class SetMetrics:
    """Precision and recall of one category on its hand-written set."""

    category: str
    positives: int
    negatives: int
    precision: float
    recall: float
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CrossValidationReport:
    folds: int
    seed: int
    posts: int
    court_cases: int
    systems: dict[str, dict[str, Spread]]
    defamation_folds_above_baseline: int
    category_sets: list[SetMetrics]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _prf(y: np.ndarray, flags: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(y & flags))
    precision = tp / max(float(flags.sum()), 1.0)
    recall = tp / max(float(y.sum()), 1.0)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-12)


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(roc_auc_score(y, s)) if 0 < y.sum() < len(y) else float("nan")


def fold_figures(
    test: Sequence[LabelledPost], scores: dict[Category, np.ndarray], flags: dict[Category, np.ndarray]
) -> dict[str, float]:
    """The figures of one system on one test fold."""
    out: dict[str, float] = {}
    court = np.array([p.source in COURT for p in test])
    for name, category in CV_CATEGORIES.items():
        if category not in scores:  # too few positives in the training folds for a head
            continue
        y = np.array([bool(p.labels[category]) for p in test])[court]
        s, f = scores[category][court], flags[category][court]
        precision, recall, f1 = _prf(y, f)
        out |= {f"{name} precision": precision, f"{name} recall": recall, f"{name} F1": f1}
        out[f"{name} ROC-AUC"] = _auc(y, s)
        out[f"{name} PR-AUC"] = float(average_precision_score(y, s)) if y.any() else float("nan")
    for label, source in (
        ("court hard negatives flagged", Source.COURT_NEGATIVE),
        ("ordinary flagged", Source.ORDINARY),
    ):
        pick = np.array([p.source is source for p in test])
        out[label] = float(flags[Category.ABUSE][pick].mean()) if pick.any() else float("nan")
    ordinary = np.array([p.source is Source.ORDINARY for p in test])
    if ordinary.any():
        any_flag = np.zeros(len(test), dtype=bool)
        for f in flags.values():
            any_flag |= f
        out["ordinary flagged (any category)"] = float(any_flag[ordinary].mean())
    inspection = np.array([p.source is Source.INSPECTION for p in test])
    if inspection.any():
        y = np.array([bool(p.labels[Category.ABUSE]) for p in test])[inspection]
        out["inspection-toxic in-domain ROC-AUC"] = _auc(y, scores[Category.ABUSE][inspection])
    return out


def cascade_figures(detector: Detector, test: Sequence[LabelledPost]) -> dict[str, float]:
    """How much of the test fold the cascade's gate passes on, the flags it loses against the full model
    (posts the full model flags that the cascade does not), and the court positives it holds back."""
    texts = [p.text for p in test]
    full = detector.score(texts)
    screened = detector.screen(texts)
    passed = np.array([Notice.SCREENED not in r.notices for r in screened])
    flagged = np.array([bool(r.flags) for r in full])
    kept = np.array([bool(r.flags) for r in screened])
    loss = float((flagged & ~kept).sum() / flagged.sum()) if flagged.any() else float("nan")
    positive = np.array([p.source is Source.COURT_POSITIVE for p in test])
    held = float((positive & ~passed).sum() / positive.sum()) if positive.any() else float("nan")
    return {
        "cascade: share passed to the full model": float(passed.mean()),
        "cascade: recall loss vs full model": loss,
        "cascade: court positives held back by the gate": held,
    }


def _mamori(
    train: Sequence[LabelledPost], test: Sequence[LabelledPost], seed: int
) -> tuple[dict[Category, np.ndarray], dict[Category, np.ndarray]]:
    results = fit_detector(train, seed, gate=False).score([p.text for p in test])
    scores = {c: np.array([r.scores[c] for r in results]) for c in Category}
    flags = {c: np.array([c in r.flags for r in results]) for c in Category}
    return scores, flags


def _baseline(
    train: Sequence[LabelledPost], test: Sequence[LabelledPost], seed: int
) -> tuple[dict[Category, np.ndarray], dict[Category, np.ndarray]]:
    scores, thresholds = baseline_scores(train, test, seed)
    flags = {c: s >= thresholds[c] for c, s in scores.items()}
    return scores, flags


SYSTEMS: dict[str, Callable[..., tuple[dict[Category, np.ndarray], dict[Category, np.ndarray]]]] = {
    MAMORI: _mamori,
    BASELINE: _baseline,
}


def case_folds(posts: Sequence[LabelledPost], folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) indices per fold; all posts of a group (a court case) fall in one test fold."""
    groups = np.array([p.group for p in posts])
    y = np.array([bool(p.labels[Category.ABUSE]) for p in posts])
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed % 2**32)
    return list(splitter.split(np.zeros(len(posts)), y, groups))


def cross_validate(
    posts: Sequence[LabelledPost],
    folds: int = 5,
    seed: int = 20250401,
    detector: Detector | None = None,
    progress: Callable[[str], None] | None = None,
    cascade: bool = True,
) -> CrossValidationReport:
    """Grouped k-fold CV of mamori and the baseline in the same folds (see the module docstring).

    detector, when given, scores the hand-written category sets (the shipped model, normally);
    cascade: also fit mamori with its gate in each fold and measure the cascade against the full model.
    """
    say = progress or (lambda _: None)
    inspection = [p for p in posts if p.source is Source.INSPECTION]
    per_fold: dict[str, list[dict[str, float]]] = {name: [] for name in SYSTEMS}
    for k, (train_idx, test_idx) in enumerate(case_folds(posts, folds, seed)):
        train = [posts[i] for i in train_idx]
        test = [posts[i] for i in test_idx]
        court_train = [p for p in train if p.source in COURT]
        for name, system in SYSTEMS.items():
            say(f"fold {k + 1}/{folds}: {name}")
            figures = fold_figures(test, *system(train, test, seed))
            if name == MAMORI and cascade:
                figures |= cascade_figures(fit_detector(train, seed), test)
            if inspection:
                # cross-domain: trained on court posts alone, ranking every inspection-toxic post
                scores, _ = system(court_train, inspection, seed)
                labels = np.array([bool(p.labels[Category.ABUSE]) for p in inspection])
                figures["cross-domain ROC-AUC (inspection-toxic, court-trained)"] = _auc(
                    labels, scores[Category.ABUSE]
                )
            per_fold[name].append(figures)
    systems = {
        name: {key: Spread.of([f.get(key, float("nan")) for f in rows]) for key in _keys(rows)}
        for name, rows in per_fold.items()
    }
    ours = systems[MAMORI]["defamation F1"].folds
    theirs = systems[BASELINE]["defamation F1"].folds
    above = sum(a > b for a, b in zip(ours, theirs, strict=True))
    cases = {p.group for p in posts if p.source in (Source.COURT_POSITIVE, Source.COURT_NEGATIVE)}
    sets = evaluate_category_sets(detector) if detector is not None else []
    return CrossValidationReport(folds, seed, len(posts), len(cases), systems, above, sets)


def _keys(rows: list[dict[str, float]]) -> list[str]:
    """Every figure any fold has, in the order first seen."""
    return list(dict.fromkeys(key for row in rows for key in row))


def read_category_set(name: str) -> list[dict[str, Any]]:
    """The examples of one hand-written set (eval_sets/<name>.jsonl), without its header line."""
    path = resources.files("mamori.detect") / "eval_sets" / f"{name}.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "text" in r]


def evaluate_category_sets(detector: Detector) -> list[SetMetrics]:
    """Precision and recall of each category's flag on its hand-written set (positives and hard negatives)."""
    out = []
    for name, category in CATEGORY_SETS.items():
        rows = read_category_set(name)
        results = detector.score([r["text"] for r in rows])
        y = np.array([bool(r["label"]) for r in rows])
        flags = np.array([category in r.flags for r in results])
        precision, recall, _ = _prf(y, flags)
        out.append(
            SetMetrics(
                name,
                int(y.sum()),
                int((~y).sum()),
                round(precision, 3),
                round(recall, 3),
                [r["text"] for r, f, t in zip(rows, flags, y, strict=True) if f and not t],
                [r["text"] for r, f, t in zip(rows, flags, y, strict=True) if t and not f],
            )
        )
    return out
