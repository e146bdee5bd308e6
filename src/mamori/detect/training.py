"""Fitting the detector: one logistic-regression head per category, Platt-calibrated and thresholded on
out-of-fold predictions grouped by case, so no case ever scores itself."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve
from sklearn.model_selection import GroupKFold

from mamori.detect.cascade import Gate, fit_gate
from mamori.detect.classifier import RULE_FLAG_FLOOR, Detector, exposes_personal_data
from mamori.detect.datasets import LabelledPost, Source
from mamori.detect.features import FeatureSpace, Words, fold_tags, lexicon_row
from mamori.detect.lexicon import lexicon_hits
from mamori.detect.model import CATEGORIES, Category, normalise
from mamori.detect.vectors import load_shipped

DEFAULT_SEED = 20250401
FOLDS = 5
# Below this many positives a head is not trained: the rules carry the category alone.
HEAD_MIN_POSITIVES = 20
# Below this many positives an out-of-fold F1 optimum is noise; the threshold stays at one half.
THRESHOLD_MIN_POSITIVES = 40
# Inverse regularisation per head, chosen by grouped cross-validation on the training split.
HEAD_C: dict[Category, float] = {c: 4.0 for c in CATEGORIES}
# The operating point of the abuse head: the F1-best threshold, raised until at most this share of each
# kind of negative is flagged out of fold (ordinary posts; the court's hard negatives, near criticism).
OPERATING_CAPS: dict[Source, float] = {Source.ORDINARY: 0.05, Source.COURT_NEGATIVE: 0.30}
# The other heads flag too, so they obey the same cap on ordinary posts (a harmless post flagged as
# defamation is as wrong as one flagged as abuse).
HEAD_CAPS: dict[Source, float] = {Source.ORDINARY: 0.05}


@dataclass(frozen=True)
class Prepared:
    """Posts turned into what the features read: normalised, tag-folded texts and lexicon counts, and
    the categories the rules alone flag (a lexicon floor, personal data)."""

    texts: list[str]
    lexicon_counts: np.ndarray
    ruled: list[set[Category]] = field(default_factory=list)


def prepare(texts: Sequence[str]) -> Prepared:
    mapped = [fold_tags(normalise(t)) for t in texts]
    hits = [lexicon_hits(m) for m in mapped]
    counts = np.array([lexicon_row(h) for h in hits], dtype=np.float32)
    ruled = [
        {c for c, f in h.floors.items() if f >= RULE_FLAG_FLOOR}
        | ({Category.PRIVACY} if exposes_personal_data(t) else set())
        for h, t in zip(hits, texts, strict=True)
    ]
    return Prepared([m.text for m in mapped], counts.reshape(len(texts), -1), ruled)


def best_f1_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """The probability threshold that maximises F1 on (y, p)."""
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(thresholds[int(np.argmax(f1[:-1]))])


def capped_threshold(
    threshold: float,
    p: np.ndarray,
    sources: np.ndarray,
    caps: dict[Source, float],
    ruled: np.ndarray | None = None,
) -> float:
    """threshold, raised where needed so that each capped source is flagged at most its share.

    ruled marks the posts the rules flag whatever the head says: they count against the share, so the
    cap holds for the flags a user sees, not for the head alone.
    """
    ruled = np.zeros(len(p), dtype=bool) if ruled is None else ruled
    for source, cap in caps.items():
        pick = sources == source.value
        n = int(pick.sum())
        negatives = np.sort(p[pick & ~ruled])
        # how many of them the head may flag, once the rules' flags are counted
        allowed = max(int(np.floor(cap * n)) - int((pick & ruled).sum()), 0)
        if n >= 20 and allowed < len(negatives):
            threshold = max(threshold, float(np.nextafter(negatives[len(negatives) - allowed - 1], np.inf)))
    return threshold


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
    posts: Sequence[LabelledPost],
    seed: int = DEFAULT_SEED,
    words: Words = Words.SCRIPT_RUNS,
    caps: dict[Source, float] | None = None,
    gate: bool = True,
    head_caps: bool = True,
    vectors: bool = True,
) -> Detector:
    """Fit features, every head and (gate=True) the cascade's gate on posts; deterministic for a given
    seed and input order."""
    prepared = prepare([p.text for p in posts])
    features = FeatureSpace.fit(prepared.texts, words, load_shipped() if vectors else None)
    x = features.transform(prepared.texts, prepared.lexicon_counts)
    groups = np.array([p.group for p in posts])
    sources = np.array([p.source.value for p in posts])
    caps = OPERATING_CAPS if caps is None else caps
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
        threshold = best_f1_threshold(y, calibrated) if enough else 0.5
        if category is Category.ABUSE:
            ruled = np.array([bool(r) for r in prepared.ruled])[known]
            threshold = capped_threshold(threshold, calibrated, sources[known], caps, ruled)
        elif head_caps:
            ruled = np.array([category in r for r in prepared.ruled])[known]
            threshold = capped_threshold(threshold, calibrated, sources[known], HEAD_CAPS, ruled)
        thresholds[category] = round(threshold, 4)
        head = LogisticRegression(**params).fit(xk, y)  # type: ignore[arg-type]
        heads.append(category)
        weights.append(head.coef_[0].astype(np.float32))
        biases.append(float(head.intercept_[0]))
        platts.append((a, b))
    detector = Detector(
        features=features,
        heads=tuple(heads),
        weights=np.stack(weights, axis=1),
        bias=np.array(biases, dtype=np.float32),
        platt=np.array(platts, dtype=np.float64),
        thresholds=thresholds,
    )
    if gate:
        detector.gate = distil_gate(detector, posts, prepared, seed)
    return detector


_SENTENCE_END = re.compile(r"(?<=[。!?！？\n])")


def distil_gate(detector: Detector, posts: Sequence[LabelledPost], prepared: Prepared, seed: int) -> Gate:
    """The cascade's gate, taught which texts the fitted detector's heads flag.

    The texts are the training posts and, as more (unlabelled) examples, their sentences on their own;
    the gate's pass threshold is chosen on out-of-fold decisions grouped by case.
    """
    texts = list(prepared.texts)
    groups = [p.group for p in posts]
    for text, post in zip(prepared.texts, posts, strict=True):
        parts = [s for s in _SENTENCE_END.split(text) if len(s.strip()) > 3]
        if len(parts) > 1:
            texts += parts
            groups += [post.group] * len(parts)
    extra = prepare(texts[len(posts) :]) if len(texts) > len(posts) else None
    counts = (
        prepared.lexicon_counts
        if extra is None
        else np.vstack([prepared.lexicon_counts, extra.lexicon_counts])
    )
    probabilities = detector.probabilities(texts, counts)
    thresholds = np.array([detector.thresholds.get(h, 1.0) for h in detector.heads])
    flagged = np.asarray((probabilities >= thresholds).any(axis=1), dtype=bool)
    return fit_gate(texts, flagged, np.array(groups), seed, judged=len(posts))
