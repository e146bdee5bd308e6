"""The shipped model artifact: train on all the data, evaluate by grouped k-fold cross-validation by
case, and write the model with its metadata (seed, data, label mapping, licence CC BY-NC 4.0, figures)
beside it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mamori.detect.cascade import GATE_RECALL
from mamori.detect.crossval import CrossValidationReport, cross_validate
from mamori.detect.datasets import (
    LabelledPost,
    Source,
    default_sources,
    inspection_path,
    read_platform_decisions,
)
from mamori.detect.lexicon import lexicon_path
from mamori.detect.model import MAX_TEXT_CHARS
from mamori.detect.training import fit_detector

LICENCE = "CC BY-NC 4.0"
LABEL_MAPPING = {
    "court-defamation": (
        "abuse (infringed) = infringed; defamation = infringed and 名誉権; insult = infringed and 名誉感情; "
        "threat = infringed and 私生活の平穏; privacy = infringed and プライバシー; a disputed post not upheld "
        "is negative for every category (its `rights` are the rights invoked); discrimination unknown for "
        "court posts, false for ordinary posts; `context` not read (absent when scoring; a leak)"
    ),
    "inspection-toxic": (
        "abuse = Toxic + Very Toxic votes over half of the annotators; insult = abuse and any 卑語 vote; "
        "discrimination = abuse and 差別 by at least half; defamation, threat, privacy unknown (not trained)"
    ),
}
LICENCE_NOTE = (
    "Trained on the court-case defamation dataset (久田, 若宮, 荒牧, 自然言語処理 2024; "
    "horshohei/japanese-offensive-language-from-court-case), licensed CC BY-NC 4.0: this model inherits "
    "the non-commercial condition. Also trained on inspection-ai/japanese-toxic-dataset (Apache-2.0)."
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_training_posts(data: Path, platform: Path | None = None) -> list[LabelledPost]:
    """The court data (with the inspection-toxic sample beside it) and optionally decided cases."""
    posts = default_sources(data)
    if platform is not None:
        posts += read_platform_decisions(platform)
    return posts


def train_and_write(
    data: Path,
    out_dir: Path,
    seed: int,
    platform: Path | None = None,
    folds: int = 5,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], CrossValidationReport | None]:
    """Fit on everything, evaluate by grouped k-fold CV (folds < 2: none), write detector.joblib +
    metadata.json."""
    posts = load_training_posts(data, platform)
    if limit is not None:
        posts = posts[:limit]
    detector = fit_detector(posts, seed)
    report = cross_validate(posts, folds, seed, detector, progress) if folds >= 2 else None
    counts = Counter(p.source.value for p in posts)
    sources = [
        {
            "path": f"{data.parent.name}/{data.name}",
            "source": "horshohei/japanese-offensive-language-from-court-case",
            "sha256": _digest(data),
            "licence": LICENCE,
        }
    ]
    inspection = inspection_path(data)
    if any(p.source is Source.INSPECTION for p in posts):
        sources.append(
            {
                "path": f"{inspection.parent.name}/{inspection.name}",
                "source": "inspection-ai/japanese-toxic-dataset (sample)",
                "sha256": _digest(inspection),
                "licence": "Apache-2.0",
            }
        )
    criticism = lexicon_path("criticism")
    sources.append(
        {
            "path": "mamori/detect/lexicon/*.txt",
            "source": "lexicons curated by the mamori team (criticism cues: a feature and a rule)",
            "licence": "Apache-2.0",
            "sha256_criticism": _digest(criticism),
        }
    )
    if detector.features.vectors is not None:
        sources.append(
            {
                "path": "mamori/detect/model_data/word_vectors.npz",
                "source": "chiVe word2vec vectors in the ja-ginza 5.3.0 wheel (PyPI), PCA to "
                f"{detector.features.vectors.dims} dimensions (mamori.detect.vectors)",
                "licence": "MIT (ja-ginza); chiVe Apache-2.0",
                "sha256": detector.features.vectors.digest,
            }
        )
    if platform is not None:
        sources.append({"path": platform.name, "sha256": _digest(platform), "licence": "platform's own"})
    metadata: dict[str, Any] = {
        "model": (
            f"mamori.detect linear heads over char 1-4-grams, {detector.features.words} word 1-2-grams "
            "(one vocabulary, sublinear TF-IDF), lexicon counts, criticism cues and the mean word vector "
            "of the character n-grams that are words; stream cascade gate: "
            f"hashed char 1-2-grams + logistic regression passing {GATE_RECALL:.0%} of the posts the heads flag"
        ),
        "label_mapping": LABEL_MAPPING,
        "criticism_damping": detector.criticism_damping,
        "licence": LICENCE,
        "licence_note": LICENCE_NOTE,
        "seed": seed,
        "posts": len(posts),
        "posts_by_source": dict(sorted(counts.items())),
        "data": sources,
        "heads": [h.value for h in detector.heads],
        "thresholds": {c.value: t for c, t in detector.thresholds.items()},
        "max_text_chars": MAX_TEXT_CHARS,
        "operating_point": "thresholds F1-best out of fold, raised until at most 5% of ordinary posts "
        "are flagged out of fold (every head) and 30% of court hard negatives (the abuse head), "
        "counting the posts the rules flag by themselves",
        "cross_validation": report.as_dict() if report is not None else None,
    }
    detector.metadata = metadata
    out_dir.mkdir(parents=True, exist_ok=True)
    detector.save(out_dir / "detector.joblib")
    (out_dir / "metadata.json").write_text(
        json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return metadata, report
