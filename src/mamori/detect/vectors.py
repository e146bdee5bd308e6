"""Word vectors that give the model meaning beyond the n-grams it was trained on: the word2vec table
(chiVe, pruned to 20,000 vectors for 480,443 words) shipped inside the ja-ginza 5.3.0 wheel (MIT),
reduced to WORD_VECTOR_DIMS dimensions by PCA and to the words of at most MAX_KEY_CHARS characters, so a
post's character 1-4-grams (computed for the n-gram features anyway) are looked up as they are.

A post's vector is the mean of the vectors of its character n-grams that are words, L2-normalised
(words and n-grams meet as the integer keys of ngram_keys.py). The
table ships as model_data/word_vectors.npz; a Detector pickles a reference to it (name and digest),
not its contents. `python -m mamori.detect.vectors ja_ginza-5.3.0-py3-none-any.whl` rebuilds it (spaCy
is not needed: the wheel's files are read directly).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from mamori.detect.ngram_keys import string_keys

RESOURCE = "word_vectors.npz"
WORD_VECTOR_DIMS = 100
MAX_KEY_CHARS = 4  # the longest character n-gram the features compute
_VOCAB = "ja_ginza/ja_ginza-5.3.0/vocab/"
_M = 0xC6A4A7935BD1E995
_MASK = (1 << 64) - 1
# Words written in Japanese scripts only: latin words and numbers are left to the n-gram features.
_JAPANESE = re.compile(r"[\u3041-\u309f\u30a1-\u30ff\u4e00-\u9fff々〆ヶ]+")


class WordVectors:
    """Words → rows of a unit-length vector table; embed() turns looked-up rows into post vectors."""

    def __init__(self, keys: Sequence[str], rows: np.ndarray, table: np.ndarray, digest: str) -> None:
        # words are kept as their n-gram keys (ngram_keys.py), sorted: 12 bytes a word instead of a dict
        # entry and its string (about 100); the features look them up with the vocabulary's character
        # n-grams in one KeyTable (features.py)
        codes = string_keys(keys)
        order = np.argsort(codes, kind="stable")
        self.keys = codes[order]
        self.rows = np.asarray(rows, dtype=np.int32)[order]
        norms = np.linalg.norm(table.astype(np.float32), axis=1, keepdims=True)
        self.table = (table.astype(np.float32) / np.maximum(norms, 1e-6)).astype(np.float32)
        self.digest = digest

    @property
    def dims(self) -> int:
        return int(self.table.shape[1])

    def lookup(self, grams: Sequence[str]) -> np.ndarray:
        """Row of each gram, -1 where it is not a word of the table."""
        known = [g for g in grams if g]
        codes = string_keys(known)
        at = np.minimum(np.searchsorted(self.keys, codes), len(self.keys) - 1)
        found = iter(np.where(self.keys[at] == codes, self.rows[at], -1).tolist())
        return np.array([next(found) if g else -1 for g in grams], dtype=np.int32)

    def embed(self, docs: np.ndarray, rows: np.ndarray, n_docs: int) -> np.ndarray:
        """(n_docs, dims): the L2-normalised mean vector of each doc's rows (zeros where it has none)."""
        found = rows >= 0
        counts = sp.csr_matrix(
            (np.ones(int(found.sum()), dtype=np.float32), (docs[found], rows[found])),
            shape=(n_docs, len(self.table)),
        )
        out = np.asarray(counts @ self.table, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    def __getstate__(self) -> dict[str, Any]:
        return {"resource": RESOURCE, "digest": self.digest}

    def __setstate__(self, state: dict[str, Any]) -> None:
        shipped = load_shipped()
        if shipped.digest != state["digest"]:
            raise ValueError(
                f"the model was trained with other word vectors than {RESOURCE} (digest differs)"
            )
        self.__dict__.update(shipped.__dict__)


@cache
def load_shipped() -> WordVectors:
    """The word vectors shipped in model_data/ (read once per process)."""
    data = (resources.files("mamori.detect") / "model_data" / RESOURCE).read_bytes()
    with np.load(io.BytesIO(data)) as npz:
        keys = bytes(npz["keys"]).decode("utf-8").split("\n")
        return WordVectors(keys, npz["rows"], npz["table"], hashlib.sha256(data).hexdigest())


def _murmurhash64a(data: bytes, seed: int = 1) -> int:
    """spaCy's string hash (MurmurHash64A, seed 1): how the wheel's key2row names its words."""
    h = (seed ^ (len(data) * _M)) & _MASK
    whole = len(data) // 8
    for i in range(whole):
        k = (int.from_bytes(data[8 * i : 8 * i + 8], "little") * _M) & _MASK
        k = ((k ^ (k >> 47)) * _M) & _MASK
        h = ((h ^ k) * _M) & _MASK
    tail = data[8 * whole :]
    if tail:
        h = ((h ^ int.from_bytes(tail, "little")) * _M) & _MASK
    h = ((h ^ (h >> 47)) * _M) & _MASK
    return h ^ (h >> 47)


def _read_key2row(raw: bytes) -> dict[int, int]:
    """The msgpack map {uint hash: uint row} of spaCy's vocab/key2row, read without msgpack."""
    if raw[0] != 0xDF:
        raise ValueError("key2row is not a msgpack map32")
    widths = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}

    def uint(at: int) -> tuple[int, int]:
        tag = raw[at]
        if tag < 0x80:  # positive fixint
            return tag, at + 1
        if tag not in widths:
            raise ValueError(f"unexpected type 0x{tag:02x} in key2row")
        end = at + 1 + widths[tag]
        return int.from_bytes(raw[at + 1 : end], "big"), end

    out: dict[int, int] = {}
    at = 5
    for _ in range(int.from_bytes(raw[1:5], "big")):
        key, at = uint(at)
        out[key], at = uint(at)
    return out


def _kana_variants(word: str) -> set[str]:
    """The word, and it in katakana and in hiragana: chiVe keys are Sudachi's normalised forms (馬鹿,
    ばか), posts write バカ."""
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in word)
    hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in word)
    return {word, katakana, hiragana}


def extract_from_wheel(wheel: Path, out: Path, dims: int = WORD_VECTOR_DIMS) -> int:
    """Write the reduced table (keys of at most MAX_KEY_CHARS characters, PCA to dims) to out; returns
    the number of keys."""
    from sklearn.decomposition import PCA

    with zipfile.ZipFile(wheel) as z:
        strings = json.loads(z.read(_VOCAB + "strings.json"))
        key2row = _read_key2row(z.read(_VOCAB + "key2row"))
        vectors = np.load(io.BytesIO(z.read(_VOCAB + "vectors")))
    words: dict[str, int] = {}
    for s in strings:
        if len(s) > MAX_KEY_CHARS or not _JAPANESE.fullmatch(s):
            continue
        row = key2row.get(_murmurhash64a(s.encode("utf-8")))
        if row is None:
            continue
        for variant in _kana_variants(s.lower()):
            words.setdefault(variant, row)  # the first spelling seen keeps its row
    reduced = PCA(dims, random_state=0).fit_transform(vectors).astype(np.float16)
    keys = sorted(words)
    np.savez_compressed(
        out,
        keys=np.frombuffer("\n".join(keys).encode("utf-8"), dtype=np.uint8),
        rows=np.array([words[k] for k in keys], dtype=np.int32),
        table=reduced,
    )
    return len(keys)


if __name__ == "__main__":
    target = Path(__file__).parent / "model_data" / RESOURCE
    print(f"{extract_from_wheel(Path(sys.argv[1]), target)} words → {target}")
