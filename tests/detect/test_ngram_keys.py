"""Character n-gram keys computed for a whole batch name the same n-grams as their strings do."""

from __future__ import annotations

import numpy as np
import pytest

from mamori.detect.features import char_ngrams, collapse_spaces
from mamori.detect.ngram_keys import KeyTable, batch_grams, gram_key, string_keys

TEXTS = ["", "a", "死ね", "お前は詐欺師だ😀", "\ud800あ", "rl汲", "ab\n\ncd"]


def test_batch_keys_are_the_keys_of_each_posts_n_gram_strings() -> None:
    spaced = [collapse_spaces(t) for t in TEXTS]
    grams = batch_grams(spaced, 1, 4)
    for d, text in enumerate(spaced):
        expected = np.sort(string_keys(char_ngrams(text)))
        assert np.array_equal(np.sort(grams.keys[grams.docs == d]), expected)
        assert grams.counts[d] == len(char_ngrams(text))


def test_same_bytes_in_another_width_are_another_key() -> None:
    # CPython's str hash confused 'rl' with '汲' (the same two bytes, one- and two-byte wide); keys do not
    assert gram_key("rl") != gram_key("汲")
    assert len(set(string_keys(["rl", "汲", "r", "l", "rl汲"]).tolist())) == 5


def test_the_table_finds_every_key_it_holds_and_nothing_else() -> None:
    words = [chr(0x4E00 + i) + chr(0x3041 + i % 80) for i in range(5000)]
    keys = string_keys(words)
    table = KeyTable(keys)
    assert np.array_equal(table.lookup(keys), np.arange(len(keys)))
    strangers = string_keys([w + "x" for w in words])
    assert (table.lookup(strangers) == -1).all()
    assert table.lookup(np.zeros(0, dtype=np.uint64)).shape == (0,)


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        KeyTable(string_keys(["あ", "あ"]))
