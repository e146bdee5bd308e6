"""An in-memory LSH index over MinHash signatures, in numpy: every band key of every fingerprint in one
sorted array, looked up for a whole batch of posts with two binary searches, candidates verified by
their estimated similarity. Built once from a bank (or its export), then queried many times.

Per fingerprint it holds BANDS keys (8 bytes) and ids (4 bytes), and the signature truncated to 8 bits per
value for verification (b-bit MinHash: a chance equality per value of 1 in 256, corrected for in the
estimate): BANDS·12 + NUM_PERM bytes, plus a slot table of 4 bytes per 2-4 keys (about 25-50 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from mamori.reposts.model import BANDS, NUM_PERM, U32, band_keys

# A bucket this full is a degenerate band (e.g. very short posts sharing it): it is skipped, not scanned.
MAX_BUCKET = 10_000
# First-stage check on the first PREFIX values: a pair at the threshold falls this far below it by chance
# with p ≈ 0.003 (binomial, 32 draws), while most chance candidates (Jaccard ≈ 0.2) stop here.
PREFIX = 32
PREFIX_SLACK = 0.2
CHANCE = 1 / 256  # two different 8-bit values are equal by chance


@dataclass(frozen=True)
class Hits:
    """Verified matches of a batch: query row, fingerprint number (order of `add`), similarity."""

    query: npt.NDArray[np.int64]
    fingerprint: npt.NDArray[np.int64]
    similarity: npt.NDArray[np.float64]

    def best(self, n_queries: int) -> list[tuple[int, float] | None]:
        """Per query, its most similar fingerprint (or None)."""
        out: list[tuple[int, float] | None] = [None] * n_queries
        order = np.lexsort((-self.similarity, self.query))
        seen = -1
        for i in order:
            q = int(self.query[i])
            if q != seen:
                out[q] = (int(self.fingerprint[i]), float(self.similarity[i]))
                seen = q
        return out


_NO_HITS = Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))


def _unbiased(share_equal: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The similarity estimate from 8-bit values: the share of equal values less the chance equalities."""
    return np.clip((share_equal - CHANCE) / (1 - CHANCE), 0.0, 1.0)


class BandIndex:
    def __init__(self) -> None:
        self._pending: list[U32] = []
        self._sigs = np.zeros((0, NUM_PERM), dtype=np.uint8)
        self._keys = np.zeros(0, dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int32)
        self._shift = np.uint64(56)
        self._table = np.zeros(257, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._sigs) + sum(len(p) for p in self._pending)

    def add(self, sigs: U32) -> None:
        """Add fingerprints (numbered in the order they are added); the index is rebuilt on next query."""
        self._pending.append(np.asarray(sigs, dtype=np.uint32).reshape(-1, NUM_PERM))

    def _build(self) -> None:
        if not self._pending:
            return
        new = np.concatenate(self._pending)
        self._pending = []
        start = len(self._sigs)
        keys = band_keys(new).ravel()
        ids = np.repeat(np.arange(start, start + len(new), dtype=np.int32), BANDS)
        keys = np.concatenate((self._keys, keys))
        ids = np.concatenate((self._ids, ids))
        order = np.argsort(keys, kind="stable")
        self._keys, self._ids = keys[order], ids[order]
        self._sigs = np.concatenate((self._sigs, new.astype(np.uint8)))
        # A direct-address table over the keys' top bits (two to four keys per slot): one random read per
        # query key instead of two binary searches through the whole array.
        bits = max(8, len(keys).bit_length() - 2)
        self._shift = np.uint64(64 - bits)
        slots = (self._keys >> self._shift).astype(np.int64)
        self._table = np.searchsorted(slots, np.arange((1 << bits) + 1, dtype=np.int64)).astype(
            np.int32 if len(keys) < 2**31 else np.int64
        )

    @property
    def nbytes(self) -> int:
        self._build()
        return int(self._keys.nbytes + self._ids.nbytes + self._sigs.nbytes + self._table.nbytes)

    def query(self, sigs: U32, threshold: float) -> Hits:
        """Every fingerprint sharing a band with a query and estimated at least `threshold` similar."""
        self._build()
        sigs = np.asarray(sigs, dtype=np.uint32).reshape(-1, NUM_PERM)
        q_keys = band_keys(sigs).ravel()
        slot = (q_keys >> self._shift).astype(np.int64)
        lo, hi = self._table[slot].astype(np.int64), self._table[slot + 1].astype(np.int64)
        counts = hi - lo
        counts[counts > MAX_BUCKET] = 0
        total = int(counts.sum())
        if total == 0:
            return _NO_HITS
        starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
        positions = np.arange(total, dtype=np.int64) + starts
        same = self._keys[positions] == np.repeat(q_keys, counts)  # the slot's other keys are not candidates
        positions = positions[same]
        if not len(positions):
            return _NO_HITS
        cand = self._ids[positions].astype(np.int64)
        qrow = np.repeat(np.repeat(np.arange(len(sigs), dtype=np.int64), BANDS), counts)[same]
        width = len(self._sigs) + 1
        pairs = np.sort(qrow * width + cand)  # sorting beats np.unique's hashing here
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
        qrow, cand = pairs // width, pairs % width
        q8 = sigs.astype(np.uint8)
        # two stages: a prefix of the signature throws out most chance candidates for a quarter of the cost
        prefix = _unbiased(np.count_nonzero(q8[qrow, :PREFIX] == self._sigs[cand, :PREFIX], axis=1) / PREFIX)
        keep = prefix >= threshold - PREFIX_SLACK
        qrow, cand = qrow[keep], cand[keep]
        sim = _unbiased(np.count_nonzero(q8[qrow] == self._sigs[cand], axis=1) / NUM_PERM)
        keep = sim >= threshold
        return Hits(qrow[keep], cand[keep], sim[keep])
