"""What the model reads: character 1-4-grams and word 1-2-grams of the normalised text in one
vocabulary, and lexicon counts (with criticism cues). The vocabulary and idf weights are fitted at
training time and shipped inside the model artifact.

One pass over each text and one dictionary lookup per n-gram (no sklearn validation per call) keep a
single draft as cheap as a batch. Words are runs of one script (漢字, カタカナ, ひらがな, latin) found by a
regex, or SudachiPy normalised forms (mode C): in grouped 5-fold cross-validation by case SudachiPy did
no better on defamation (F1 0.561 against 0.575) and took about a third of the scoring time, so the
shipped model reads script runs.
"""

from __future__ import annotations

import itertools
import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
import sudachipy

from mamori.detect.lexicon import LEXICON_CATEGORIES, LexiconHits
from mamori.detect.model import MappedText, substitute
from mamori.detect.ngram_keys import KeyTable, batch_grams, string_keys
from mamori.detect.vectors import WordVectors

# The court data anonymises people as [P-ind], [IDinfo]…; one placeholder character keeps them as a
# feature ("a named person is the target") without teaching the model the bracket spelling.
_PLACEHOLDER = "＠"
_TAG = re.compile(r"\[[a-z]+(?:-[a-z]+)?\]")
_SPACES = re.compile(r"\s\s+")
_RUNS = re.compile(r"[\u4e00-\u9fff々〆ヶ]+|[\u30a0-\u30ffー]+|[\u3040-\u309f]+|[a-z0-9]+|＠")
# Word n-grams share the vocabulary with character n-grams; this prefix keeps the two apart.
WORD_MARK = "\x1f"
CHAR_NGRAMS = (1, 4)
MIN_DF = 2
MAX_CHAR_FEATURES = 80_000
MAX_WORD_FEATURES = 40_000
LEXICON_COLUMNS = len(LEXICON_CATEGORIES) + 1  # counts per lexicon category, then criticism cues


def fold_tags(mapped: MappedText) -> MappedText:
    """The normalised text with anonymisation tags folded to one placeholder character."""
    return substitute(mapped, _TAG, _PLACEHOLDER) if "[" in mapped.text else mapped


def collapse_spaces(text: str) -> str:
    """Runs of two or more white-space characters read as one space, as the n-grams see them."""
    if "  " in text or "\n" in text or "\t" in text:
        return _SPACES.sub(" ", text)
    return text


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of CHAR_NGRAMS, runs of white space read as one space."""
    text = collapse_spaces(text)
    grams = list(text)
    n = len(text)
    for k in range(CHAR_NGRAMS[0] + 1, CHAR_NGRAMS[1] + 1):
        grams += [text[i : i + k] for i in range(n - k + 1)]
    return grams


class Words(StrEnum):
    """Where word n-grams come from."""

    SUDACHI = "sudachi"  # SudachiPy normalised forms, mode C
    SCRIPT_RUNS = "script_runs"  # runs of one script: what the shipped model reads (fast, as accurate)


@cache
def _dictionary() -> Any:
    return sudachipy.Dictionary()


_per_thread = threading.local()


def _tokenizer() -> Any:
    """One tokenizer per thread: a SudachiPy tokenizer refuses concurrent use (the web server has a pool)."""
    tokenizer = getattr(_per_thread, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer(mode=sudachipy.SplitMode.C, fields={"normalized_form"})
        _per_thread.tokenizer = tokenizer
    return tokenizer


def script_runs(text: str) -> list[str]:
    return _RUNS.findall(text)


def sudachi_words(text: str) -> list[str]:
    words = [m.normalized_form() for m in _tokenizer().tokenize(text)]
    return [w for w in words if not w.isspace()]


_WORDS = {Words.SUDACHI: sudachi_words, Words.SCRIPT_RUNS: script_runs}


def word_ngrams(text: str, words: Words = Words.SUDACHI) -> list[str]:
    """Words and pairs of neighbouring words, each marked with WORD_MARK."""
    found = [WORD_MARK + w for w in _WORDS[words](text)]
    return found + [a + b for a, b in itertools.pairwise(found)]


def _top(counts: Counter[str], df: Counter[str], limit: int) -> list[str]:
    kept = [g for g in counts if df[g] >= MIN_DF]
    kept.sort(key=lambda g: (-counts[g], g))
    return kept[:limit]


@dataclass
class FeatureSpace:
    """The fitted vocabulary (char n-grams first, then words) and idf; transform makes one matrix."""

    vocabulary: dict[str, int]
    idf: np.ndarray  # (len(vocabulary),) float32
    n_chars: int  # columns [0, n_chars) are character n-grams, then words, lexicon counts, word vectors
    words: Words = Words.SUDACHI
    vectors: WordVectors | None = None

    @classmethod
    def fit(
        cls, texts: Sequence[str], words: Words = Words.SCRIPT_RUNS, vectors: WordVectors | None = None
    ) -> FeatureSpace:
        """Keep n-grams seen in at least MIN_DF texts, the most frequent first, as sklearn does."""
        blocks: list[list[str]] = []
        df: Counter[str] = Counter()
        for chars, limit in ((True, MAX_CHAR_FEATURES), (False, MAX_WORD_FEATURES)):
            counts: Counter[str] = Counter()
            block_df: Counter[str] = Counter()
            for text in texts:
                grams = char_ngrams(text) if chars else word_ngrams(text, words)
                counts.update(grams)
                block_df.update(set(grams))
            blocks.append(sorted(_top(counts, block_df, limit)))
            df.update(block_df)
        names = blocks[0] + blocks[1]
        n = len(texts)
        # smooth idf, as sklearn's TfidfVectorizer
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1 for g in names], dtype=np.float32)
        return cls({g: i for i, g in enumerate(names)}, idf, len(blocks[0]), words, vectors)

    @property
    def size(self) -> int:
        return len(self.vocabulary) + LEXICON_COLUMNS + self.vector_dims

    @property
    def vector_dims(self) -> int:
        vectors = getattr(self, "vectors", None)  # a model pickled before word vectors has none
        return 0 if vectors is None else vectors.dims

    def names(self) -> list[str]:
        """The n-gram of each column (word n-grams keep their WORD_MARK)."""
        out = [""] * len(self.vocabulary)
        for gram, i in self.vocabulary.items():
            out[i] = gram
        return out

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("char_table", None)  # rebuilt from the vocabulary (and the vectors) after loading
        return state

    @cached_property
    def char_table(self) -> tuple[KeyTable, np.ndarray, np.ndarray]:
        """Character n-gram keys in a table, and per key its column in the vocabulary and its row of
        the word-vector table (-1 for none; both arrays end with a -1 for the keys not in the table)."""
        chars = [(g, i) for g, i in self.vocabulary.items() if i < self.n_chars]
        keys = string_keys([g for g, _ in chars])
        ids = np.array([i for _, i in chars], dtype=np.int32)
        vectors = getattr(self, "vectors", None)
        if vectors is not None:
            keys = np.concatenate([keys, vectors.keys])
        unique, inverse = np.unique(keys, return_inverse=True)
        columns = np.full(len(unique) + 1, -1, dtype=np.int32)
        rows = np.full(len(unique) + 1, -1, dtype=np.int32)
        columns[inverse[: len(ids)]] = ids
        if vectors is not None:
            rows[inverse[len(ids) :]] = vectors.rows
        return KeyTable(unique), columns, rows

    def transform(self, texts: Sequence[str], lexicon_counts: np.ndarray) -> sp.csr_matrix:
        """texts: fold_tags(normalise(post)).text per post; lexicon_counts: lexicon_row per post.

        Each block (characters, words) is sublinear TF-IDF, L2-normalised on its own; lexicon
        counts enter as log1p; then the post's word vector (vectors.py), when the space has vectors.
        Character n-grams are looked up for the whole batch as integer keys (ngram_keys.py), words
        post by post in the vocabulary.
        """
        words = self.words
        get = self.vocabulary.get
        vectors = getattr(self, "vectors", None)
        grams = batch_grams([collapse_spaces(t) for t in texts], *CHAR_NGRAMS)
        table, columns, rows = self.char_table
        found = table.lookup(grams.keys)
        word_ids: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for d, text in enumerate(texts):
            found_words = word_ngrams(text, words)
            word_ids.append(
                np.fromiter(map(get, found_words, repeat(-1)), dtype=np.int64, count=len(found_words))
            )
            lengths[d] = len(found_words)
        ids = np.concatenate([columns[found].astype(np.int64), *word_ids])
        n_vocab = len(self.vocabulary)
        docs = np.concatenate([grams.docs, np.repeat(np.arange(len(texts), dtype=np.int64), lengths)])
        known = ids >= 0
        keys, tf = np.unique(docs[known] * n_vocab + ids[known], return_counts=True)
        doc, col = np.divmod(keys, n_vocab)
        value = (1.0 + np.log(tf.astype(np.float32))) * self.idf[col]
        # L2 norm per (post, block)
        block = doc * 2 + (col >= self.n_chars)
        norms = np.sqrt(np.bincount(block, weights=value * value, minlength=2 * len(texts)))
        value = (value / norms[block]).astype(np.float32)
        lex = np.log1p(lexicon_counts.astype(np.float32)).reshape(len(texts), -1)
        n_lex = lex.shape[1]
        # append the lexicon columns to each row: rows are sorted by doc, so insert at each row's end
        per_doc = np.bincount(doc, minlength=len(texts)) + n_lex
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(per_doc, out=indptr[1:])
        data = np.empty(indptr[-1], dtype=np.float32)
        indices = np.empty(indptr[-1], dtype=np.int32)
        lex_slots = (indptr[1:, None] - n_lex + np.arange(n_lex)).ravel()
        gram_slots = np.ones(indptr[-1], dtype=bool)
        gram_slots[lex_slots] = False
        data[gram_slots] = value
        indices[gram_slots] = col
        data[lex_slots] = lex.ravel()
        indices[lex_slots] = np.tile(np.arange(n_vocab, n_vocab + n_lex, dtype=np.int32), len(texts))
        x = sp.csr_matrix((data, indices, indptr), shape=(len(texts), n_vocab + n_lex))
        if vectors is None:
            return x
        embedded = vectors.embed(grams.docs, rows[found], len(texts))
        return sp.hstack([x, sp.csr_matrix(embedded)], format="csr", dtype=np.float32)


def lexicon_row(hits: LexiconHits) -> list[int]:
    """The lexicon counts of one post in the order of LEXICON_CATEGORIES, then its criticism cues.

    The court data, where disputed posts mostly argue about what a named person did, gives the cue
    count a positive defamation weight, yet with it the abuse head flags fewer court hard negatives
    (58% against 71% on the by-case split); the criticism rule of the classifier does the rest.
    """
    return [hits.counts.get(c, 0) for c in LEXICON_CATEGORIES] + [len(hits.criticism)]
