"""What a specialist records: a decision, or a ground for taking longer. Pure rules.

情プラ法 Art. 25(1) (numbering of 2025-04-01): within the period the requester is told the decision, or
which ground applies when the platform is hearing the poster, a specialist is investigating, or another
unavoidable reason applies (with that reason); the result then follows without delay.
"""

from __future__ import annotations

import enum
import unicodedata


class ExtensionGround(enum.StrEnum):
    HEARING_POSTER = "hearing_poster"  # 発信者に意見を聴いている
    SPECIALIST_INVESTIGATION = "specialist_investigation"  # 侵害情報調査専門員が調査している
    UNAVOIDABLE = "unavoidable"  # その他やむを得ない理由 (its content must be given)

    @property
    def needs_reason(self) -> bool:
        return self is ExtensionGround.UNAVOIDABLE


GROUND_TEXT = {
    ExtensionGround.HEARING_POSTER: (
        "発信者に対し意見を聴いているため",
        "we are hearing the poster's opinion",
    ),
    ExtensionGround.SPECIALIST_INVESTIGATION: (
        "侵害情報調査専門員が調査を行っているため",
        "a specialist in the handling of rights infringements is investigating",
    ),
    ExtensionGround.UNAVOIDABLE: ("その他やむを得ない理由があるため", "another unavoidable reason applies"),
}

MIN_REASON_LENGTH = 10


def normalised(text: str) -> str:
    """A text as compared for the Art. 27 proviso: NFKC (width, compatibility forms), case folded,
    without whitespace (re-spacing does not make a post new)."""
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character 3-grams of two normalised texts (1.0: the same text)."""
    x, y = normalised(a), normalised(b)
    if x == y:
        return 1.0
    grams_x = {x[i : i + 3] for i in range(max(len(x) - 2, 1))}
    grams_y = {y[i : i + 3] for i in range(max(len(y) - 2, 1))}
    return len(grams_x & grams_y) / len(grams_x | grams_y)


def already_told(
    *,
    text: str,
    clause_code: str | None,
    reason: str,
    earlier_text: str,
    earlier_clause_code: str | None,
    earlier_reason: str,
    threshold: float,
) -> bool:
    """情プラ法 Art. 27 proviso (numbering of 2025-04-01): no notice is owed to a poster already told "for
    similar content". mamori reads it narrowly, so a poster always learns a new reason: a similar post
    (`similarity` at or above the threshold), under the same clause, for a reason that is similar too."""
    return (
        clause_code == earlier_clause_code
        and similarity(text, earlier_text) >= threshold
        and similarity(reason, earlier_reason) >= threshold
    )
