"""Character n-grams of a whole batch as 64-bit integer keys, computed by numpy without one Python string
per n-gram, and a table that maps keys to rows (open addressing, looked up for a whole batch at once).

A post of 77 characters has about 300 character 1-4-grams: making each one a Python string and looking
it up in a dict cost most of the full model's time and all of the gate's. Here the batch is one array of
code points; the key of the n-gram text[i:i+k] is a multiplicative hash of its k code points and k,
mixed, so that its top bits serve as a bucket (the gate) and the whole key as an exact name (64 bits:
the chance that two of the 500,000 known n-grams, or a stranger and a known one, share a key is far
below 1e-6 over a model's life).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_P = np.uint64(0x100000001B3)  # FNV-1a's 64-bit prime: odd, spreads a code point over the high bits
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)  # MurmurHash3's finaliser
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_33 = np.uint64(33)
EMPTY = np.uint64(0)  # no key is 0 (keys are mixed and then have their low bit set)


@dataclass(frozen=True)
class BatchGrams:
    """The keys of every character n-gram of a batch, and the post each one belongs to."""

    keys: np.ndarray  # uint64
    docs: np.ndarray  # int64, non-decreasing within each n, not overall
    counts: np.ndarray  # int64 (n_posts,): n-grams per post


def code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The batch's code points as one uint64 array and the start of each post in it (len(texts) + 1)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    # surrogatepass: a lone surrogate (only reachable from Python) is one code point, as in str
    raw = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32).astype(np.uint64), starts


def _mix(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> _33)
    h = h * _MIX1
    h = h ^ (h >> _33)
    h = h * _MIX2
    h = h ^ (h >> _33)
    return h | np.uint64(1)


def batch_grams(texts: Sequence[str], n_min: int, n_max: int) -> BatchGrams:
    """Keys of the character n-grams of each text, n_min ≤ n ≤ n_max, none crossing from one post to the
    next (the texts as given: runs of white space are the caller's business)."""
    cps, starts = code_points(texts)
    total = len(cps)
    lengths = np.diff(starts)
    doc_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    left = starts[1:][doc_of] - np.arange(total, dtype=np.int64)  # characters from here to the post's end
    keys: list[np.ndarray] = []
    docs: list[np.ndarray] = []
    counts = np.zeros(len(texts), dtype=np.int64)
    with np.errstate(over="ignore"):
        h = np.full(total, 0x9E3779B97F4A7C15, dtype=np.uint64)
        for k in range(1, n_max + 1):
            # h[i] = hash of text[i:i+k], built from that of text[i:i+k-1]
            if k == 1:
                h = (h ^ cps) * _P
            else:
                h = (h[:-1] ^ cps[k - 1 :]) * _P
            if k < n_min:
                continue
            valid = left[: len(h)] >= k
            keys.append(_mix(h[valid] ^ np.uint64(k)))
            d = doc_of[: len(h)][valid]
            docs.append(d)
            counts += np.maximum(lengths - k + 1, 0)
    return BatchGrams(
        np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64),
        np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
        counts,
    )


def gram_key(gram: str) -> int:
    """The key batch_grams gives the n-gram gram (for building tables from strings)."""
    return int(batch_grams([gram], len(gram), len(gram)).keys[0]) if gram else 0


def string_keys(strings: Sequence[str]) -> np.ndarray:
    """The key of each whole string (every string non-empty), as batch_grams would give it."""
    if not strings:
        return np.zeros(0, dtype=np.uint64)
    cps, starts = code_points(strings)
    lengths = np.diff(starts)
    if lengths.min() < 1:
        raise ValueError("empty strings have no key")
    out = np.empty(len(strings), dtype=np.uint64)
    for k in np.unique(lengths):
        pick = np.flatnonzero(lengths == k)
        with np.errstate(over="ignore"):
            h = np.full(len(pick), 0x9E3779B97F4A7C15, dtype=np.uint64)
            for j in range(int(k)):
                h = (h ^ cps[starts[pick] + j]) * _P
            out[pick] = _mix(h ^ np.uint64(k))
    return out


class KeyTable:
    """An open-addressing hash table (linear probing) from n-gram keys to their position in the keys it
    was built from, looked up for a whole array of keys at once; -1 where a key is absent."""

    def __init__(self, keys: np.ndarray, load: float = 0.5) -> None:
        keys = np.asarray(keys, dtype=np.uint64)
        if len(np.unique(keys)) != len(keys):
            raise ValueError("duplicate keys")
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) / load))))
        self.shift = np.uint64(64 - bits)
        self.mask = (1 << bits) - 1
        self.keys = np.zeros(1 << bits, dtype=np.uint64)
        self.positions = np.full(1 << bits, -1, dtype=np.int32)
        slot = self._slot(keys)
        todo = np.arange(len(keys))
        while len(todo):
            # place each waiting key in its slot when free (one key per slot per round), else probe on
            s = slot[todo]
            free = self.keys[s] == EMPTY
            first = np.zeros(len(todo), dtype=bool)
            _, at = np.unique(s, return_index=True)
            first[at] = True
            place = free & first
            self.keys[s[place]] = keys[todo[place]]
            self.positions[s[place]] = todo[place]
            waiting = todo[~place]
            slot[waiting] = (slot[waiting] + 1) & self.mask
            todo = waiting

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        return (keys >> self.shift).astype(np.intp)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """(len(keys),) int32: the position of each key in the table's keys, -1 where it is absent."""
        slot = self._slot(keys)
        found = self.keys[slot]
        out = np.where(found == keys, self.positions[slot], -1)
        # most keys end at their first slot (found, or an empty slot); the rest probe on
        todo = np.flatnonzero((found != keys) & (found != EMPTY))
        while len(todo):
            s = (slot[todo] + 1) & self.mask
            slot[todo] = s
            found = self.keys[s]
            hit = found == keys[todo]
            out[todo[hit]] = self.positions[s[hit]]
            todo = todo[~hit & (found != EMPTY)]
        return out
