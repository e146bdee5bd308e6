"""What the model reads: character n-grams of the normalised text, SudachiPy word n-grams, and
lexicon counts. Vectorisers are fitted at training time and shipped inside the model artifact."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import scipy.sparse as sp
import sudachipy
from sklearn.feature_extraction.text import TfidfVectorizer

from mamori.detect.lexicon import LEXICON_CATEGORIES, LexiconHits
from mamori.detect.model import MappedText, substitute

# The court data anonymises people as [P-ind], [IDinfo]…; one placeholder character keeps them as a
# feature ("a named person is the target") without teaching the model the bracket spelling.
_PLACEHOLDER = "＠"
_TAG = re.compile(r"\[[a-z]+(?:-[a-z]+)?\]")


@cache
def _tokenizer() -> Any:
    return sudachipy.Dictionary().tokenizer(mode=sudachipy.SplitMode.C, fields={"normalized_form"})


def word_ngrams(text: str) -> list[str]:
    """Sudachi normalised forms (mode C), unigrams and bigrams."""
    words = [m.normalized_form() for m in _tokenizer().tokenize(text)]
    words = [w for w in words if not w.isspace()]
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def fold_tags(mapped: MappedText) -> MappedText:
    """The normalised text with anonymisation tags folded to one placeholder character."""
    return substitute(mapped, _TAG, _PLACEHOLDER) if "[" in mapped.text else mapped


@dataclass
class FeatureSpace:
    """The fitted vectorisers; transform turns normalised texts into one sparse matrix."""

    chars: TfidfVectorizer
    words: TfidfVectorizer

    @classmethod
    def fit(cls, texts: Sequence[str]) -> FeatureSpace:
        chars = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, 4),
            sublinear_tf=True,
            min_df=2,
            max_features=80_000,
            dtype=np.float32,
        )
        words = TfidfVectorizer(
            analyzer=word_ngrams, sublinear_tf=True, min_df=2, max_features=40_000, dtype=np.float32
        )
        chars.fit(texts)
        words.fit(texts)
        return cls(chars, words)

    @property
    def size(self) -> int:
        return len(self.chars.vocabulary_) + len(self.words.vocabulary_) + len(LEXICON_CATEGORIES)

    def transform(self, texts: Sequence[str], lexicon_counts: np.ndarray) -> sp.csr_matrix:
        """texts: fold_tags(normalise(post)).text per post; lexicon_counts: lexicon_row per post."""
        lex = np.log1p(lexicon_counts.astype(np.float32))
        return sp.hstack(
            [self.chars.transform(texts), self.words.transform(texts), sp.csr_matrix(lex)], format="csr"
        )


def lexicon_row(hits: LexiconHits) -> list[int]:
    """The lexicon counts of one post in the order of LEXICON_CATEGORIES."""
    return [hits.counts.get(c, 0) for c in LEXICON_CATEGORIES]
