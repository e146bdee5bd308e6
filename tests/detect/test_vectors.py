import pickle

import numpy as np

from mamori.detect.features import FeatureSpace, Words
from mamori.detect.vectors import WordVectors, _kana_variants, _murmurhash64a, _read_key2row, load_shipped


def _cosine(vectors: WordVectors, a: str, b: str) -> float:
    rows = vectors.lookup([a, b])
    assert (rows >= 0).all(), f"{a} or {b} is not in the shipped table"
    return float(vectors.table[rows[0]] @ vectors.table[rows[1]])


def test_words_of_one_meaning_lie_closer_than_unrelated_words() -> None:
    vectors = load_shipped()
    assert _cosine(vectors, "詐欺", "犯罪") > _cosine(vectors, "詐欺", "料理") + 0.3
    assert _cosine(vectors, "馬鹿", "阿呆") > _cosine(vectors, "馬鹿", "公園") + 0.3


def test_katakana_spelling_finds_the_vector_of_the_hiragana_word() -> None:
    vectors = load_shipped()
    assert vectors.lookup(["バカ"])[0] == vectors.lookup(["ばか"])[0] >= 0
    assert _kana_variants("ばか") == {"ばか", "バカ"}


def test_unknown_grams_have_no_row() -> None:
    assert load_shipped().lookup(["", "xyz", "\x1f言葉"]).tolist() == [-1, -1, -1]


def test_post_vector_is_the_normalised_mean_of_its_words() -> None:
    vectors = load_shipped()
    rows = vectors.lookup(["詐欺", "犯罪", "zzz"])
    embedded = vectors.embed(np.array([0, 0, 1]), rows, 3)
    expected = vectors.table[rows[0]] + vectors.table[rows[1]]
    assert np.allclose(embedded[0], expected / np.linalg.norm(expected), atol=1e-5)
    assert not embedded[1].any() and not embedded[2].any()  # no word, no vector


def test_key2row_is_read_for_every_integer_width() -> None:
    entries = [(5, 1), (0xCC, 0x10000), (2**63 + 7, 300)]
    raw = b"\xdf" + len(entries).to_bytes(4, "big")
    raw += b"\x05\x01"
    raw += b"\xcc\xcc" + b"\xce" + (0x10000).to_bytes(4, "big")
    raw += b"\xcf" + (2**63 + 7).to_bytes(8, "big") + b"\xcd" + (300).to_bytes(2, "big")
    assert _read_key2row(raw) == dict(entries)


def test_murmurhash_reads_the_tail_bytes() -> None:
    assert _murmurhash64a(b"abcdefgh") != _murmurhash64a(b"abcdefghi")
    assert _murmurhash64a("詐欺".encode()) == _murmurhash64a("詐欺".encode())


def test_a_pickled_feature_space_refers_to_the_table_instead_of_carrying_it() -> None:
    space = FeatureSpace.fit(["詐欺師だ", "詐欺師だろ", "良い天気"], Words.SCRIPT_RUNS, load_shipped())
    blob = pickle.dumps(space)
    assert len(blob) < 100_000
    again = pickle.loads(blob)
    counts = np.zeros((1, 5), dtype=np.float32)
    assert again.vector_dims == load_shipped().dims
    assert np.allclose(
        again.transform(["詐欺師だ"], counts).toarray(), space.transform(["詐欺師だ"], counts).toarray()
    )
