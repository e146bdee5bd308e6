"""The trained detector: one calibrated linear head per category over shared features, combined with
rules (lexicon floors for threats and slurs, personal data for privacy) into a DetectionResult."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp

from mamori.detect.cascade import PERSONAL_DATA_HINT, Gate
from mamori.detect.features import FeatureSpace, fold_tags, lexicon_row
from mamori.detect.lexicon import LexiconHits, lexicon_hits
from mamori.detect.model import (
    CATEGORIES,
    Category,
    DetectionResult,
    MappedText,
    Notice,
    Span,
    clean_input,
    normalise,
)
from mamori.detect.personal_data import PRIVACY_WEIGHT, WHY, PersonalDataMatch, find_personal_data

# A rule floor this high flags the category by itself (an explicit threat, a slur, a My Number).
RULE_FLAG_FLOOR = 0.6
# A post with criticism cues (lexicon/criticism.txt) and no attack term: the defamation and abuse heads'
# probabilities are multiplied by this before flags and the nudge (「誹謗中傷≠批判意見」).
CRITICISM_DAMPING = 0.7
CRITICISM_DAMPED = (Category.DEFAMATION, Category.INSULT, Category.ABUSE)
MODEL_WHY: dict[Category, str] = {
    Category.DEFAMATION: "Wording that court decisions found defamatory in similar posts.",
    Category.INSULT: "Wording that court decisions found insulting in similar posts.",
    Category.THREAT: "Wording that court decisions found threatening in similar posts.",
    Category.PRIVACY: "Wording that court decisions found to expose private life in similar posts.",
    Category.DISCRIMINATION: "Wording that annotators found discriminatory in similar posts.",
    Category.ABUSE: "Wording that court decisions found harmful in similar posts.",
}


def exposes_personal_data(text: str) -> bool:
    """Whether the personal-data rules alone would flag privacy in text."""
    return any(PRIVACY_WEIGHT[pd.kind] >= RULE_FLAG_FLOOR for pd in find_personal_data(text))


@dataclass
class Detector:
    """Fitted features, per-head weights, Platt calibration and thresholds chosen on held-out folds."""

    features: FeatureSpace
    heads: tuple[Category, ...]
    weights: np.ndarray  # (n_features, n_heads)
    bias: np.ndarray  # (n_heads,)
    platt: np.ndarray  # (n_heads, 2): probability = sigmoid(a * z + b)
    thresholds: dict[Category, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    criticism_damping: float = CRITICISM_DAMPING
    # the first stage of the stream cascade (cascade.py); None: screen() runs the full model on everything
    gate: Gate | None = None
    _names: list[str] | None = field(default=None, repr=False, compare=False)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._names = None
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path) -> Detector:
        detector = joblib.load(path)
        if not isinstance(detector, Detector):
            raise TypeError(f"{path} does not hold a mamori Detector")
        if detector.gate is not None and "bits" not in vars(detector.gate):
            # a gate distilled on scikit-learn's feature hashing (models before 2026-12-03) would read the
            # wrong weights: without a gate, screen() runs the full model on every post
            detector.gate = None
        _ = detector.features.char_table  # built now (a quarter of a second), not by the first batch
        return detector

    def probabilities(self, texts: Sequence[str], lexicon_counts: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (n_texts, n_heads) for texts already normalised and tag-folded."""
        return self._probabilities(self.features.transform(texts, lexicon_counts))

    def _probabilities(self, x: sp.csr_matrix) -> np.ndarray:
        if x.shape[0] == 1:  # one draft (the nudge): a dot product, without scipy's per-call checks
            z = x.data @ self.weights[x.indices] + self.bias
            z = z.reshape(1, -1)
        else:
            z = np.asarray(x @ self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-(self.platt[:, 0] * z + self.platt[:, 1])))

    def score(self, texts: Sequence[str]) -> list[DetectionResult]:
        """Score posts; bad input (empty, enormous, control characters) is answered, never raised."""
        if not texts:
            return []
        cleaned = [clean_input(t) for t in texts]
        mapped = [fold_tags(normalise(t)) for t, _ in cleaned]
        hits = [lexicon_hits(m) for m in mapped]
        return self._score(cleaned, mapped, hits)

    def screen(self, texts: Sequence[str]) -> list[DetectionResult]:
        """The stream cascade: the gate first, the full model only on the posts it passes.

        A post held back by the gate gets no flags, its abuse score is the gate's probability, and the
        notice "screened". Without a gate this is score().
        """
        if self.gate is None:
            return self.score(texts)
        if not texts:
            return []
        cleaned = [clean_input(t) for t in texts]
        mapped = [fold_tags(normalise(t)) for t, _ in cleaned]
        hits = [lexicon_hits(m) for m in mapped]
        decision = self.gate.decision([m.text for m in mapped])
        # the personal-data rules read only the posts with a hint of personal data, once: the full model
        # reuses what they found
        personal = [
            find_personal_data(text) if PERSONAL_DATA_HINT.search(text) is not None else None
            for text, _ in cleaned
        ]
        passing = [
            i
            for i, ((_, notices), hit, found) in enumerate(zip(cleaned, hits, personal, strict=True))
            if Notice.EMPTY not in notices
            and (
                decision[i] >= self.gate.threshold
                or any(f >= RULE_FLAG_FLOOR for f in hit.floors.values())
                or (found is not None and any(PRIVACY_WEIGHT[pd.kind] >= RULE_FLAG_FLOOR for pd in found))
            )
        ]
        full = self._score(
            [cleaned[i] for i in passing],
            [mapped[i] for i in passing],
            [hits[i] for i in passing],
            [personal[i] for i in passing],
        )
        results: list[DetectionResult | None] = [None] * len(texts)
        for i, result in zip(passing, full, strict=True):
            results[i] = result
        held = [i for i in range(len(texts)) if results[i] is None]
        probability = self.gate.probability(decision[held]) if held else np.zeros(0)
        for i, p in zip(held, probability, strict=True):
            notices = cleaned[i][1]
            scores = {c: 0.0 for c in CATEGORIES}
            if Notice.EMPTY not in notices:
                scores[Category.ABUSE] = round(float(p), 4)
                notices = [*notices, Notice.SCREENED]
            results[i] = DetectionResult(scores, [], [], notices, bool(hits[i].criticism))
        return [r for r in results if r is not None]

    def _score(
        self,
        cleaned: list[tuple[str, list[Notice]]],
        mapped: list[MappedText],
        hits: list[LexiconHits],
        personal: Sequence[list[PersonalDataMatch] | None] | None = None,
    ) -> list[DetectionResult]:
        """The full model's results; personal: what the personal-data rules found in each post where
        already known (None: look)."""
        if not cleaned:
            return []
        personal = [None] * len(cleaned) if personal is None else personal
        texts = [t for t, _ in cleaned]
        counts = np.array([lexicon_row(h) for h in hits], dtype=np.float32).reshape(len(texts), -1)
        x = self.features.transform([m.text for m in mapped], counts)
        probs = self._probabilities(x)
        results = []
        for i, ((text, notices), m, hit, found) in enumerate(
            zip(cleaned, mapped, hits, personal, strict=True)
        ):
            if Notice.EMPTY in notices:
                results.append(DetectionResult({c: 0.0 for c in CATEGORIES}, [], [], notices))
                continue
            floors = dict(hit.floors)
            spans = list(hit.spans)
            for pd in find_personal_data(text) if found is None else found:
                floors[Category.PRIVACY] = max(floors.get(Category.PRIVACY, 0.0), PRIVACY_WEIGHT[pd.kind])
                spans.append(Span(pd.start, pd.end, Category.PRIVACY, WHY[pd.kind]))
            model = {h: float(probs[i, j]) for j, h in enumerate(self.heads)}
            criticism = bool(hit.criticism) and not hit.attack
            if criticism:
                # 「誹謗中傷≠批判意見」: a post that argues about acts or policies, with no attack term,
                # needs stronger evidence before the defamation and abuse heads call it harmful
                for c in CRITICISM_DAMPED:
                    if c in model:
                        model[c] *= self.criticism_damping
            scores = {c: max(model.get(c, 0.0), floors.get(c, 0.0)) for c in CATEGORIES}
            flags: list[Category] = [
                c
                for c in CATEGORIES
                if c is not Category.ABUSE
                and (
                    model.get(c, 0.0) >= self.thresholds.get(c, 1.0) or floors.get(c, 0.0) >= RULE_FLAG_FLOOR
                )
            ]
            scores[Category.ABUSE] = max(scores.values())
            # abuse is flagged by its own head (trained on "any right infringed") or by a rule; the other
            # heads' low, recall-minded thresholds would make it flag most sharp posts
            ruled = any(f >= RULE_FLAG_FLOOR for f in floors.values())
            if ruled or model.get(Category.ABUSE, 0.0) >= self.thresholds.get(Category.ABUSE, 1.0):
                flags.append(Category.ABUSE)
            for c in flags:
                if (
                    c in model
                    and model[c] >= self.thresholds.get(c, 1.0)
                    and not any(s.category is c for s in spans)
                ):
                    row = slice(x.indptr[i], x.indptr[i + 1])
                    spans += self._evidence(m, x.indices[row], x.data[row], c)
            spans.sort(key=lambda s: (s.start, s.end))
            results.append(
                DetectionResult({c: round(v, 4) for c, v in scores.items()}, flags, spans, notices, criticism)
            )
        return results

    def _evidence(
        self, mapped: MappedText, indices: np.ndarray, data: np.ndarray, category: Category, top: int = 3
    ) -> list[Span]:
        """The character n-grams of the post that pushed this head up most, as spans of the original."""
        if self._names is None:
            self._names = self.features.names()
        chars = indices < self.features.n_chars  # the char block comes first in the feature matrix
        indices, data = indices[chars], data[chars]
        head = self.heads.index(category)
        contributions = data * self.weights[indices, head]
        order = np.argsort(-contributions)[:top]
        spans: list[Span] = []
        for k in order:
            if contributions[k] <= 0:
                break
            # n-grams of one or two characters explain nothing a reader can see
            gram = self._names[indices[k]]
            if len(gram.strip()) < 2:
                continue
            at = mapped.text.find(gram)
            if at >= 0:
                start, end = mapped.original_span(at, at + len(gram))
                spans.append(Span(start, end, category, MODEL_WHY[category]))
        return spans
