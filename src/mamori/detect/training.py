"""Fitting the detector: one logistic-regression head per category, Platt-calibrated and thresholded on
out-of-fold predictions grouped by case, so no case ever scores itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import GroupKFold

from mamori.detect.classifier import Detector
from mamori.detect.datasets import LabelledPost
from mamori.detect.features import FeatureSpace, Words, fold_tags, lexicon_row
from mamori.detect.lexicon import lexicon_hits
from mamori.detect.model import CATEGORIES, Category, normalise

DEFAULT_SEED = 20250401
FOLDS = 5
# Below this many positives a head is not trained: the rules carry the category alone.
HEAD_MIN_POSITIVES = 20
# Below this many positives an out-of-fold F1 optimum is noise; the threshold stays at one half.
THRESHOLD_MIN_POSITIVES = 40
# Inverse regularisation per head, chosen by grouped cross-validation on the training split.
HEAD_C: dict[Category, float] = {c: 4.0 for c in CATEGORIES}


@dataclass(frozen=True)
class Prepared:
    """Posts turned into what the features read: normalised, tag-folded texts and lexicon counts."""

    texts: list[str]
    lexicon_counts: np.ndarray


def prepare(texts: Sequence[str]) -> Prepared:
    mapped = [fold_tags(normalise(t)) for t in texts]
    counts = np.array([lexicon_row(lexicon_hits(m)) for m in mapped], dtype=np.float32)
    return Prepared([m.text for m in mapped], counts.reshape(len(texts), -1))


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability threshold that maximises F1 on (y, p)."""
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def out_of_fold(
    make: type[LogisticRegression],
    params: dict[str, object],
    x: sp.csr_matrix,
    y: np.ndarray,
    groups: np.ndarray,
) -> np.ndarray:
    """Decision values of each post from a model that never saw its group."""
    z = np.zeros(len(y))
    folds = GroupKFold(n_splits=min(FOLDS, len(set(groups))))
    for train, held in folds.split(x, y, groups):
        if len(set(y[train])) < 2:
            continue
        z[held] = make(**params).fit(x[train], y[train]).decision_function(x[held])
    return z


def fit_detector(
    posts: Sequence[LabelledPost], seed: int = DEFAULT_SEED, words: Words = Words.SUDACHI
) -> Detector:
    """Fit features and every head on posts; deterministic for a given seed and input order."""
    prepared = prepare([p.text for p in posts])
    features = FeatureSpace.fit(prepared.texts, words)
    x = features.transform(prepared.texts, prepared.lexicon_counts)
    groups = np.array([p.group for p in posts])
    heads: list[Category] = []
    weights, biases, platts = [], [], []
    thresholds: dict[Category, float] = {}
    for category in CATEGORIES:
        known = np.array([p.labels[category] is not None for p in posts])
        y = np.array([bool(p.labels[category]) for p in posts])[known]
        if y.sum() < HEAD_MIN_POSITIVES:
            continue
        params: dict[str, object] = {
            "C": HEAD_C[category],
            "class_weight": "balanced",
            "solver": "liblinear",
            "random_state": seed,
        }
        xk = x[known]
        z = out_of_fold(LogisticRegression, params, xk, y, groups[known])
        platt = LogisticRegression(C=1e4, solver="lbfgs").fit(z.reshape(-1, 1), y)
        a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
        calibrated = 1.0 / (1.0 + np.exp(-(a * z + b)))
        enough = y.sum() >= THRESHOLD_MIN_POSITIVES
        thresholds[category] = round(best_f1_threshold(y, calibrated), 4) if enough else 0.5
        head = LogisticRegression(**params).fit(xk, y)  # type: ignore[arg-type]
        heads.append(category)
        weights.append(head.coef_[0].astype(np.float32))
        biases.append(float(head.intercept_[0]))
        platts.append((a, b))
    return Detector(
        features=features,
        heads=tuple(heads),
        weights=np.stack(weights, axis=1),
        bias=np.array(biases, dtype=np.float32),
        platt=np.array(platts, dtype=np.float64),
        thresholds=thresholds,
    )
