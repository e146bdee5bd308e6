"""Evaluation on a validation split cut by case: per-category precision, recall, F1 and PR-AUC with
bootstrap intervals (resampling cases), beside the baseline (char 1-3-gram TF-IDF + logistic
regression), and the false-alarm rate on court hard negatives apart from ordinary posts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score

from mamori.detect.datasets import LabelledPost, Source, split_by_case
from mamori.detect.model import CATEGORIES, Category
from mamori.detect.training import HEAD_MIN_POSITIVES, best_f1_threshold, fit_detector, out_of_fold


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class CategoryMetrics:
    positives: int
    posts: int
    precision: Interval
    recall: Interval
    f1: Interval
    pr_auc: Interval


@dataclass(frozen=True)
class NegativeRates:
    """How often negatives are flagged as abuse, and their mean abuse score."""

    source: str
    posts: int
    flagged_share: float
    mean_score: float


@dataclass(frozen=True)
class SystemReport:
    name: str
    categories: dict[str, CategoryMetrics]
    negatives: list[NegativeRates]


@dataclass(frozen=True)
class EvaluationReport:
    seed: int
    train_posts: int
    valid_posts: int
    valid_cases: int
    systems: list[SystemReport]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _prf(y: np.ndarray, f: np.ndarray) -> tuple[float, float, float]:
    tp = float(np.sum(y & f))
    precision = tp / max(float(f.sum()), 1.0)
    recall = tp / max(float(y.sum()), 1.0)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return precision, recall, f1


def _pr_auc(y: np.ndarray, s: np.ndarray) -> float:
    return float(average_precision_score(y, s)) if y.any() else float("nan")


def category_metrics(
    y: np.ndarray, scores: np.ndarray, flags: np.ndarray, groups: np.ndarray, seed: int, rounds: int
) -> CategoryMetrics:
    """Metrics with 95% bootstrap intervals; each round resamples whole groups (cases)."""
    rng = np.random.default_rng(seed)
    unique = np.unique(groups)
    members = {g: np.flatnonzero(groups == g) for g in unique}
    samples = []
    for _ in range(rounds):
        idx = np.concatenate([members[g] for g in rng.choice(unique, size=len(unique), replace=True)])
        samples.append((*_prf(y[idx], flags[idx]), _pr_auc(y[idx], scores[idx])))
    table = np.array(samples)
    point = (*_prf(y, flags), _pr_auc(y, scores))

    def interval(k: int) -> Interval:
        col = table[:, k][~np.isnan(table[:, k])]
        low, high = np.percentile(col, [2.5, 97.5]) if len(col) else (np.nan, np.nan)
        return Interval(round(point[k], 3), round(float(low), 3), round(float(high), 3))

    return CategoryMetrics(int(y.sum()), len(y), interval(0), interval(1), interval(2), interval(3))


def baseline_scores(
    train: Sequence[LabelledPost], valid: Sequence[LabelledPost], seed: int
) -> tuple[dict[Category, np.ndarray], dict[Category, float]]:
    """The baseline's probabilities on valid, and thresholds chosen out-of-fold on train."""
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    x_train = vectoriser.fit_transform([p.text for p in train])
    x_valid = vectoriser.transform([p.text for p in valid])
    groups = np.array([p.group for p in train])
    scores, thresholds = {}, {}
    for category in CATEGORIES:
        known = np.array([p.labels[category] is not None for p in train])
        y = np.array([bool(p.labels[category]) for p in train])[known]
        if y.sum() < HEAD_MIN_POSITIVES:
            continue
        params: dict[str, object] = {"max_iter": 2000, "random_state": seed}
        z = out_of_fold(LogisticRegression, params, x_train[known], y, groups[known])
        thresholds[category] = best_f1_threshold(y, 1.0 / (1.0 + np.exp(-z)))
        scores[category] = LogisticRegression(**params).fit(x_train[known], y).predict_proba(x_valid)[:, 1]  # type: ignore[arg-type]
    return scores, thresholds


def _report(
    name: str,
    valid: Sequence[LabelledPost],
    scores: dict[Category, np.ndarray],
    flags: dict[Category, np.ndarray],
    seed: int,
    rounds: int,
) -> SystemReport:
    groups = np.array([p.group for p in valid])
    categories = {}
    for category in CATEGORIES:
        known = np.array([p.labels[category] is not None for p in valid])
        y = np.array([bool(p.labels[category]) for p in valid])
        if category not in scores or not y[known].any():
            continue
        categories[category.value] = category_metrics(
            y[known], scores[category][known], flags[category][known], groups[known], seed, rounds
        )
    negatives = []
    # court hard negatives (disputed, not upheld) apart from ordinary posts and non-toxic inspection posts
    for source in (Source.COURT_NEGATIVE, Source.ORDINARY, Source.INSPECTION):
        pick = np.array([p.source is source and p.labels[Category.ABUSE] is False for p in valid])
        if pick.any() and Category.ABUSE in scores:
            negatives.append(
                NegativeRates(
                    source.value,
                    int(pick.sum()),
                    round(float(flags[Category.ABUSE][pick].mean()), 3),
                    round(float(scores[Category.ABUSE][pick].mean()), 3),
                )
            )
    return SystemReport(name, categories, negatives)


def evaluate(posts: Sequence[LabelledPost], seed: int, rounds: int = 500) -> EvaluationReport:
    """Train mamori and the baseline on the training side of a by-case split, report on the other."""
    train_idx, valid_idx = split_by_case(posts, seed)
    train = [posts[i] for i in train_idx]
    valid = [posts[i] for i in valid_idx]
    detector = fit_detector(train, seed, gate=False)
    results = detector.score([p.text for p in valid])
    ours_scores = {c: np.array([r.scores[c] for r in results]) for c in CATEGORIES}
    ours_flags = {c: np.array([c in r.flags for r in results]) for c in CATEGORIES}
    base_scores, base_thresholds = baseline_scores(train, valid, seed)
    base_flags = {c: s >= base_thresholds[c] for c, s in base_scores.items()}
    return EvaluationReport(
        seed=seed,
        train_posts=len(train),
        valid_posts=len(valid),
        valid_cases=len(
            {p.group for p in valid if p.source in (Source.COURT_POSITIVE, Source.COURT_NEGATIVE)}
        ),
        systems=[
            _report("mamori", valid, ours_scores, ours_flags, seed, rounds),
            _report("baseline (char 1-3 TF-IDF + LR)", valid, base_scores, base_flags, seed, rounds),
        ],
    )
