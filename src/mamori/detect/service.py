"""Japanese abuse detection, the use cases: score posts, nudge a writer, find and mask personal data,
suggest the rights a removal request should name. The shipped model is loaded once per process."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from mamori.detect.classifier import Detector
from mamori.detect.messages import NUDGE_MESSAGE
from mamori.detect.model import RIGHT_OF_CATEGORY, Category, DetectionResult, NudgeResult
from mamori.detect.personal_data import PersonalDataMatch
from mamori.detect.personal_data import find_personal_data as _find_personal_data
from mamori.detect.personal_data import mask_personal_data as _mask_personal_data

MODEL_FILE = "detector.joblib"
METADATA_FILE = "metadata.json"
# The nudge interrupts a writer: it fires only when a category is over its flag threshold and also
# at least this likely, so borderline criticism is not nagged.
NUDGE_MIN_SCORE = 0.5
# 「誹謗中傷≠批判意見」: a draft that argues about acts or policies and uses no attack term is nudged for
# defamation (or abuse in general) only when the model is this sure; insults, threats, personal data
# and slurs in it are nudged as usual.
NUDGE_CRITICISM_MIN_SCORE = 0.8
CRITICISM_SPARED = (Category.DEFAMATION, Category.ABUSE)
# Most specific first: the message names the most serious harm found.
NUDGE_ORDER = (
    Category.THREAT,
    Category.PRIVACY,
    Category.DISCRIMINATION,
    Category.INSULT,
    Category.DEFAMATION,
    Category.ABUSE,
)

_lock = threading.Lock()
_detector: Detector | None = None


def model_path() -> Path:
    """Where the shipped model lies (mamori/detect/model_data/detector.joblib)."""
    return Path(str(resources.files("mamori.detect") / "model_data" / MODEL_FILE))


def detector() -> Detector:
    """The shipped detector, loaded on first use and kept for the life of the process."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = Detector.load(model_path())
    return _detector


def use_detector(replacement: Detector | None) -> None:
    """Replace the process's detector (after `train`, or in tests); None reloads the shipped one."""
    global _detector
    with _lock:
        _detector = replacement


def score_texts(texts: Sequence[str]) -> list[DetectionResult]:
    """Score a batch of posts: scores per category, flags over threshold and explaining spans.

    Empty, enormous, control-character or non-Japanese texts get a result with notices; none raises.
    """
    return detector().score(list(texts))


def screen_texts(texts: Sequence[str]) -> list[DetectionResult]:
    """Screen a stream batch through the cascade: a cheap gate, the full model only where it matters.

    Posts the gate holds back carry no flags and the notice "screened"; the others are scored as by
    score_texts. For a platform's stream (thousands of posts a second); a single draft uses nudge().
    """
    return detector().screen(list(texts))


def score_text(text: str) -> DetectionResult:
    """Score one post (see score_texts)."""
    return score_texts([text])[0]


def nudge(text: str) -> NudgeResult:
    """Whether to ask the writer of this draft to stop and think, and because of which category."""
    result = score_text(text)
    for category in NUDGE_ORDER:
        score = result.scores[category]
        spared = result.criticism and category in CRITICISM_SPARED
        if category in result.flags and score >= (NUDGE_CRITICISM_MIN_SCORE if spared else NUDGE_MIN_SCORE):
            return NudgeResult(True, category, score, NUDGE_MESSAGE[category])
    return NudgeResult(False, None, result.scores[Category.ABUSE], None)


def suggest_rights(result: DetectionResult) -> list[str]:
    """The rights a removal request could name for this post (defamation → 名誉権, insult → 名誉感情,
    threat → 私生活の平穏, privacy → プライバシー), most likely first."""
    flagged = [c for c in result.flags if c in RIGHT_OF_CATEGORY]
    flagged.sort(key=lambda c: -result.scores[c])
    return [RIGHT_OF_CATEGORY[c] for c in flagged]


def find_personal_data(text: str) -> list[PersonalDataMatch]:
    """Phone numbers (full-width too), e-mail, postal codes, street addresses and valid My Numbers in
    text, with offsets into text."""
    return _find_personal_data(text)


def mask_personal_data(text: str, mask: str = "＊") -> str:
    """text with its personal data masked character by character (offsets unchanged)."""
    return _mask_personal_data(text, mask)
