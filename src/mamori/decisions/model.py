"""What a specialist records: a decision, or a ground for taking longer. Pure rules.

情プラ法 Art. 25(1) (numbering of 2025-04-01): within the period the requester is told the decision, or
which ground applies when the platform is hearing the poster, a specialist is investigating, or another
unavoidable reason applies (with that reason); the result then follows without delay.
"""

from __future__ import annotations

import enum


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
