"""The service guides and the map put the safe steps first (issue 11, "Guidance order and safety").

Saving the evidence comes before anything that can take a post out of sight (a block, a report, a
removal); asking the poster never comes before the safer routes; a board that publishes removal
requests says so; the disclosure branch says that logs are kept only a few months; a refusal offers
the other routes. The order lives in `services.yaml` (`steps`), read here as data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from mamori.consult.catalogue import DATA_DIR, consult_map, read_yaml

SERVICES = read_yaml(DATA_DIR / "services.yaml")
STEPS: dict[str, Any] = SERVICES["steps"]
GUIDES: dict[str, Any] = SERVICES["services"]
SAFER_ROUTES = ("save_evidence", "report", "removal_request", "counselling")


@pytest.mark.parametrize("step_id", list(STEPS))
def test_every_step_is_written_in_every_language_dated_and_sourced(step_id: str) -> None:
    step = STEPS[step_id]
    for lang in ("ja", "en", "ja-easy"):
        assert str(step["text"].get(lang, "")).strip(), f"{step_id}: no text in {lang}"
    assert isinstance(step["checked"], dt.date)
    assert str(step["source"]).strip()


@pytest.mark.parametrize("service_id", list(GUIDES))
def test_every_guide_saves_the_evidence_first(service_id: str) -> None:
    steps = list(GUIDES[service_id]["steps"])
    assert steps, f"{service_id} has no steps"
    assert set(steps) <= set(STEPS), f"{service_id} names an unknown step"
    assert len(set(steps)) == len(steps), f"{service_id} repeats a step"
    assert steps[0] == "save_evidence"
    assert steps.index("distance") < steps.index("report") < steps.index("removal_request")


@pytest.mark.parametrize("service_id", list(GUIDES))
def test_asking_the_poster_never_comes_before_the_safer_routes(service_id: str) -> None:
    steps = list(GUIDES[service_id]["steps"])
    if "ask_poster" not in steps:
        return
    assert steps[0] != "ask_poster"
    for route in SAFER_ROUTES:
        assert route in steps and steps.index(route) < steps.index("ask_poster"), route


def test_asking_the_poster_says_only_if_it_is_safe() -> None:
    text = STEPS["ask_poster"]["text"]
    assert "安全な場合に限り" in text["ja"]
    assert "only if" in text["en"].lower() and "safe" in text["en"]
    assert "あんぜんな ときだけ" in text["ja-easy"]


def test_saving_the_evidence_says_before_blocking_or_reporting() -> None:
    text = STEPS["save_evidence"]["text"]
    assert "ブロック・通報・削除依頼の前に" in text["ja"]
    assert "Before you block, report" in text["en"]
    assert "ブロックや つうほうの まえに" in text["ja-easy"]


def test_5ch_is_marked_as_a_board_that_publishes_requests() -> None:
    assert GUIDES["5ch"].get("requests_public") is True


@pytest.mark.parametrize(
    "service_id", [s for s, raw in GUIDES.items() if raw.get("requests_public")] or ["none"]
)
def test_a_board_that_publishes_requests_warns_before_one_is_filed(service_id: str) -> None:
    report = consult_map().services[service_id].report
    assert "公開" in report.ja and "書かないで" in report.ja
    assert "published" in report.en and "Do not write your name" in report.en
    assert report.easy is not None and "だれでも よめます" in report.easy


def test_the_disclosure_branch_says_logs_are_kept_only_a_few_months() -> None:
    cmap = consult_map()
    result = cmap.tree.nodes["compensation"].result
    lawyer = cmap.bodies["lawyer-houterasu"].does_not
    for text in (result, lawyer):
        assert text is not None
        assert "ログ" in text.ja and "数か月" in text.ja and "早め" in text.ja
        assert "few months" in text.en and "act early" in text.en
    assert result is not None and result.easy is not None and "すうかげつ" in result.easy


def test_a_refusal_offers_the_other_routes() -> None:
    text = STEPS["if_refused"]["text"]
    for expected in ("法務局の人権相談", "違法・有害情報相談センター", "弁護士・法テラス", "発信者情報開示"):
        assert expected in text["ja"], expected
    for expected in ("human-rights consultation", "Illegal and Harmful", "lawyer", "disclosure"):
        assert expected in text["en"], expected
    ihaho = consult_map().tree.nodes["ihaho"].result
    assert ihaho is not None and "断られた" in ihaho.ja and "法務局" in ihaho.ja and "refuses" in ihaho.en
