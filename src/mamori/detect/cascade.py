"""The first stage of the stream cascade: a cheap gate that lets through only posts worth the full model.

A platform's stream is mostly harmless. The gate reads hashed character 1-2-grams of the normalised text
(integer keys computed by numpy for the whole batch, ngram_keys.py: no n-gram strings, no vocabulary,
no sparse matrix at scoring time) with one logistic-regression weight
vector trained to tell which posts the full model would flag (its out-of-fold flags on the training
data), and passes a post to the full detector when

- its decision value is over a threshold chosen on out-of-fold gate decisions grouped by case so that
  GATE_RECALL of the posts the full model flags pass, or
- a lexicon term with a rule floor occurs (an explicit threat, a slur: they flag by themselves), or
- personal data occurs (a cheap pattern first, then the personal-data rules themselves).

Posts the gate holds back get a result with no flags, a low abuse score (the gate's own calibrated
probability) and the notice "screened". `bench/detect.py` measures the throughput and the recall the
cascade loses against the full model.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from mamori.detect.ngram_keys import batch_grams

GATE_BITS = 18  # 2**18 hashed features
GATE_NGRAMS = (1, 2)
# Share of the posts the full model flags (out of fold) that the gate must pass on to it.
GATE_RECALL = 0.95
GATE_C = 16.0
# What any personal data the rules find must contain (a dash between digits, a long run of digits, an at
# sign, an address word); only a post with one of these is read by the personal-data rules.
PERSONAL_DATA_HINT = re.compile(
    r"\d\s?[-‐‑‒–—―−ー－)）]\s?\d|\d{4}|[@＠]|丁目|番地|号室|[都道府県市区町村]\S{0,12}\d"
)


def gate_features(
    texts: Sequence[str], bits: int = GATE_BITS, ngrams: tuple[int, int] = GATE_NGRAMS
) -> sp.csr_matrix:
    """The gate's view of normalised texts: each character n-gram hashed to one of 2**bits columns
    (the top bits of its key), counted, and divided by the square root of the post's n-gram count."""
    grams = batch_grams(texts, *ngrams)
    scale = 1.0 / np.sqrt(np.maximum(grams.counts, 1)).astype(np.float32)
    buckets = (grams.keys >> np.uint64(64 - bits)).astype(np.int64)
    x = sp.csr_matrix(
        (scale[grams.docs], (grams.docs, buckets)), shape=(len(texts), 1 << bits), dtype=np.float32
    )
    x.sum_duplicates()
    return x


@dataclass
class Gate:
    """Hashed char n-gram weights, a pass threshold on the decision value, and Platt calibration."""

    weights: np.ndarray  # (2**bits,) float32
    bias: float
    threshold: float
    platt: tuple[float, float]
    recall: float = GATE_RECALL
    bits: int = GATE_BITS
    ngrams: tuple[int, int] = GATE_NGRAMS

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Decision values for texts already normalised and tag-folded: the weights of the post's hashed
        n-grams summed (numpy over the whole batch: no n-gram strings, no sparse matrix)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        grams = batch_grams(texts, *self.ngrams)
        contributions = self.weights[(grams.keys >> np.uint64(64 - self.bits)).astype(np.intp)]
        total = np.bincount(grams.docs, weights=contributions, minlength=len(texts))
        return total / np.sqrt(np.maximum(grams.counts, 1)) + self.bias

    def probability(self, decision: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * decision + b)))


def fit_gate(
    texts: Sequence[str], y: np.ndarray, groups: np.ndarray, seed: int, judged: int | None = None
) -> Gate:
    """Fit the gate on normalised texts and whether the full model flags them; the pass threshold lets
    GATE_RECALL of the flagged among texts[:judged] (whole posts, not their sentences) through out of
    fold."""
    x = gate_features(texts)
    params: dict[str, object] = {
        "C": GATE_C,
        "class_weight": "balanced",
        "solver": "liblinear",
        "random_state": seed,
    }
    z = np.zeros(len(y))
    folds = GroupKFold(n_splits=min(5, len(set(groups))))
    for train, held in folds.split(x, y, groups):
        if len(set(y[train])) < 2:
            continue
        z[held] = LogisticRegression(**params).fit(x[train], y[train]).decision_function(x[held])  # type: ignore[arg-type]
    whole = np.arange(len(y)) < (len(y) if judged is None else judged)
    positives = np.sort(z[whole & y])
    threshold = float(positives[int(np.floor((1 - GATE_RECALL) * len(positives)))]) if len(positives) else 0.0
    platt = LogisticRegression(C=1e4).fit(z.reshape(-1, 1), y)
    model = LogisticRegression(**params).fit(x, y)  # type: ignore[arg-type]
    return Gate(
        weights=model.coef_[0].astype(np.float32),
        bias=float(model.intercept_[0]),
        threshold=threshold,
        platt=(float(platt.coef_[0, 0]), float(platt.intercept_[0])),
    )
