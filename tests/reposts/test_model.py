"""The pure parts: the in-memory index's edge cases, the pile-on rule and its drivers, the diff."""

from __future__ import annotations

import random

from mamori.reposts import model, variants
from mamori.reposts.lsh import BandIndex


def sig(texts: list[str]) -> model.U32:
    return model.signatures([model.shingle_hashes(model.normalise(t)) for t in texts])


def test_an_empty_index_and_a_post_with_no_candidates_find_nothing() -> None:
    index = BandIndex()
    assert len(index.query(sig(["何か"]), 0.5).query) == 0
    rng = random.Random(3)
    index.add(sig([variants.removed_post(rng) for _ in range(50)]))
    assert index.query(sig([variants.unrelated_post(rng)]), 0.5).best(1) == [None]


def test_fingerprints_added_later_are_found_with_their_numbers() -> None:
    rng = random.Random(4)
    first, second = (
        [variants.removed_post(rng) for _ in range(20)],
        [variants.removed_post(rng) for _ in range(20)],
    )
    index = BandIndex()
    index.add(sig(first))
    index.query(sig(first[:1]), 0.5)  # built once
    index.add(sig(second))
    assert len(index) == 40
    best = index.query(sig([second[5], first[7]]), 0.5).best(2)
    assert best[0] is not None and best[0][0] == 25 and best[0][1] >= 0.99
    assert best[1] is not None and best[1][0] == 7


def test_a_text_with_nothing_but_noise_has_no_fingerprint_to_match() -> None:
    assert model.normalise("😡😡!!! …　\n") == ""
    assert model.estimated_similarity(model.signature("😡!!"), model.signature("😡!!")) == 0.0


def test_a_burst_needs_both_the_minimum_and_the_factor_over_the_baseline() -> None:
    assert model.burst(10, 0, 336, min_count=10, factor=5).is_burst
    assert not model.burst(9, 0, 336, min_count=10, factor=5).is_burst
    assert not model.burst(20, 336 * 6, 336, min_count=10, factor=5).is_burst  # six an hour is its usual
    assert model.burst(30, 336 * 6, 336, min_count=10, factor=5).is_burst


def test_drivers_are_the_fewest_accounts_behind_most_of_the_abuse() -> None:
    authors = ["a"] * 10 + ["b"] * 6 + ["c"] * 2 + ["d", "e"]
    assert model.drivers(authors) == [("a", 10), ("b", 6)]


def test_side_by_side_rebuilds_both_texts() -> None:
    rows = model.side_by_side("山田花子は横領した", "ヤマダ花子は横領した！")
    assert "".join(r.original for r in rows) == "山田花子は横領した"
    assert "".join(r.new for r in rows) == "ヤマダ花子は横領した！"
    assert {r.kind for r in rows} >= {"equal", "replace"}
