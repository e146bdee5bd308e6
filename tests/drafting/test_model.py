"""The checks of both forms, as golden cases (one file per legal scenario) and a few statements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mamori.core.errors import DomainError
from mamori.drafting.model import DisclosureItem, Withheld
from mamori.drafting.reading import read_deletion, read_disclosure
from tests.drafting.factories import deletion_data, disclosure_data, draft_data

GOLDEN = sorted((Path(__file__).parent / "golden").glob("*.json"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.stem for p in GOLDEN])
def test_golden_checks(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    data = draft_data(case["kind"], **case["changes"])
    reader = read_deletion if case["kind"] == "deletion" else read_disclosure
    if not case["problems"]:
        reader(data)
        return
    with pytest.raises(DomainError) as caught:
        reader(data)
    fields = sorted({p.field for p in caught.value.problems})
    assert fields == sorted(case["problems"])


def test_every_problem_speaks_japanese_and_english() -> None:
    with pytest.raises(DomainError) as caught:
        read_disclosure({})
    assert caught.value.code == "draft_invalid"
    assert len(caught.value.problems) >= 8
    for problem in caught.value.problems:
        assert problem.field and problem.ja and problem.en
        assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in problem.ja)
        assert problem.en.isascii()


def test_wrong_types_are_named_not_guessed() -> None:
    with pytest.raises(DomainError) as caught:
        read_deletion(deletion_data(rights="honour", declaration_true="yes", requester=["x"]))
    fields = {p.field for p in caught.value.problems}
    assert {"rights", "declaration_true", "requester"} <= fields


def test_a_checked_disclosure_keeps_what_was_chosen() -> None:
    draft = read_disclosure(disclosure_data())
    assert DisclosureItem.IP_PORT in draft.items
    assert draft.withheld_from_poster == (Withheld.ADDRESS, Withheld.CONTACT)
    assert all(len(e.sha256) == 64 for e in draft.evidence)


def test_error_json_names_each_field() -> None:
    with pytest.raises(DomainError) as caught:
        read_deletion(deletion_data(declaration_true=False, reason=""))
    body = caught.value.as_json()
    assert body["error"] == "draft_invalid"
    assert {d["field"] for d in body["detail"]} == {"declaration_true", "reason"}  # type: ignore[union-attr]
