"""Grouped cross-validation by case and the hand-written category sets."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from mamori.detect import service
from mamori.detect.cli import app
from mamori.detect.crossval import (
    BASELINE,
    CATEGORY_SETS,
    MAMORI,
    cascade_figures,
    case_folds,
    cross_validate,
    evaluate_category_sets,
    read_category_set,
)
from mamori.detect.datasets import Source, read_court
from tests.conftest import loud_skip

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "court-defamation" / "train.jsonl"


def court_sample(step: int) -> list:
    if not DATA.exists():
        loud_skip(f"cross-validation test: the court data set is not at {DATA} (shared/ beside the checkout)")
    return read_court(DATA)[::step]


def test_each_case_is_tested_in_exactly_one_fold_and_never_trained_on_there() -> None:
    posts = court_sample(1)
    seen: dict[str, int] = {}
    for k, (train, test) in enumerate(case_folds(posts, 5, seed=3)):
        train_groups = {posts[i].group for i in train}
        test_groups = {posts[i].group for i in test}
        assert not train_groups & test_groups
        for g in test_groups:
            assert g not in seen, f"{g} tested in folds {seen[g]} and {k}"
            seen[g] = k
    assert len(seen) == len({p.group for p in posts})


def test_cross_validation_reports_mean_and_spread_of_every_figure_for_both_systems() -> None:
    posts = court_sample(4)
    report = cross_validate(posts, folds=3, seed=5, cascade=False)
    assert set(report.systems) == {MAMORI, BASELINE}
    for figures in report.systems.values():
        assert {"defamation F1", "insult F1", "infringed ROC-AUC", "court hard negatives flagged"} <= set(
            figures
        )
        for spread in figures.values():
            assert len(spread.folds) == 3
            values = [v for v in spread.folds if not np.isnan(v)]
            assert spread.min == min(values) and spread.max == max(values)
            assert spread.min <= spread.mean <= spread.max
    assert 0 <= report.defamation_folds_above_baseline <= 3


def test_the_cascade_is_measured_against_the_full_model_on_the_same_posts() -> None:
    posts = court_sample(10)
    figures = cascade_figures(service.detector(), posts)
    assert 0.0 < figures["cascade: share passed to the full model"] <= 1.0
    assert 0.0 <= figures["cascade: recall loss vs full model"] <= 1.0


def test_the_labels_of_a_disputed_post_not_upheld_are_all_negative() -> None:
    posts = court_sample(1)
    hard = [p for p in posts if p.source is Source.COURT_NEGATIVE]
    assert hard and not any(v for p in hard for v in p.labels.values())


def test_category_sets_are_labelled_hand_written_and_hold_hard_negatives() -> None:
    for name in CATEGORY_SETS:
        path = resources.files("mamori.detect") / "eval_sets" / f"{name}.jsonl"
        header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
        assert "Hand-written for evaluation" in header["header"] and "never training data" in header["header"]
        rows = read_category_set(name)
        assert sum(r["label"] for r in rows) >= 10 and sum(not r["label"] for r in rows) >= 10


def test_category_sets_give_precision_and_recall_with_the_posts_behind_them() -> None:
    metrics = evaluate_category_sets(service.detector())
    assert [m.category for m in metrics] == list(CATEGORY_SETS)
    for m in metrics:
        assert 0.0 <= m.precision <= 1.0 and 0.0 <= m.recall <= 1.0
        assert len(m.missed) == round(m.positives * (1 - m.recall))


def test_eval_cv_prints_means_with_spread_beside_the_baseline(tmp_path: Path) -> None:
    posts = court_sample(1)
    lines = DATA.read_text(encoding="utf-8").splitlines()
    small = tmp_path / "court" / "train.jsonl"
    small.parent.mkdir()
    small.write_text("\n".join(lines[::5]) + "\n", encoding="utf-8")
    assert posts
    result = CliRunner().invoke(app, ["eval", "--cv", "2", "--data", str(small)])
    assert result.exit_code == 0, result.output
    assert "grouped 2-fold cross-validation by case" in result.output
    assert "defamation F1" in result.output and "±" in result.output
    assert "baseline" in result.output and "hand-written category sets" in result.output
