"""Golden cases for the rules: one JSON file per case under golden/, run by one test.

Fields: text; personal_data (kinds found, in order); masked (optional); flags_include and
flags_exclude (optional) against the shipped detector; nudge (optional): whether the writer is asked
to stop and think.

criticism_*.json are hand-written sharp criticism of acts and policies (「誹謗中傷≠批判意見」) that must
not nudge; insult_*.json are attacks on a person that must. They are a specification, never training
data; the criticism rule's parameters were set with them in view, so they are not an unbiased test.
"""

import json
from pathlib import Path

import pytest

from mamori.detect import service

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_case(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    text = case["text"]
    assert [m.kind.value for m in service.find_personal_data(text)] == case["personal_data"]
    if "masked" in case:
        assert service.mask_personal_data(text) == case["masked"]
    flags = {c.value for c in service.score_text(text).flags}
    assert set(case.get("flags_include", [])) <= flags
    assert not set(case.get("flags_exclude", [])) & flags
    if "nudge" in case:
        assert service.nudge(text).nudge is case["nudge"]


def test_there_are_golden_cases() -> None:
    assert len(GOLDEN) >= 10
