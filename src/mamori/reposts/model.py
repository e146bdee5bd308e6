"""Fingerprints of removed content, pure: Japanese normalisation, character shingles, MinHash, LSH band
keys, PDQ distances, the side-by-side differences, and pile-on arithmetic.

No text leaves this module in a fingerprint: a MinHash signature and its band keys are one-way, so a
bank can be shared with a hotline or a peer platform without sharing what was removed.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# The algorithm's parameters travel with every exported bank: an importer refuses a bank made with other ones.
ALGORITHM = "mamori-minhash-v1"
SHINGLE = 3  # characters per shingle (Japanese has no spaces: words are not the unit)
NUM_PERM = 128
# 25 bands of 5 rows (125 of the 128 values): a pair at Jaccard 0.7 meets in some band with p ≈ 0.99, at
# 0.6 with p ≈ 0.87, at 0.3 with p ≈ 0.06 (the chance candidates every look-up must then verify).
BANDS = 25
ROWS = 5
SEED = 17
PDQ_BITS = 256

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

_KATAKANA = re.compile("[\u30a1-\u30f6]")
_RUNS = re.compile(r"(.)\1+", re.DOTALL)


def normalise(text: str) -> str:
    """A post as fingerprinted: NFKC (full/half width, compatibility forms), case folded, katakana as
    hiragana, only letters and digits kept (whitespace, line breaks, punctuation, symbols and emoji are
    noise), and runs of one character collapsed (「ひどーーーい！！！」 is 「ひどーい」)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _KATAKANA.sub(lambda m: chr(ord(m.group()) - 0x60), text)
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return _RUNS.sub(r"\1", kept)


def _mix64(x: U64) -> U64:
    """The splitmix64 finaliser: spreads every input bit over the output (vectorised, wraps mod 2^64)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_hashes(normalised: str) -> U64:
    """64-bit hashes of the distinct character shingles of a normalised text (empty text: none)."""
    if not normalised:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    k = min(SHINGLE, len(codes))
    n = len(codes) - k + 1
    h = np.full(n, np.uint64(k), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(k):
            h = _mix64(h * np.uint64(0x9E3779B97F4A7C15) + codes[i : i + n])
    return np.unique(h)


def _permutations() -> tuple[U32, U32]:
    rng = np.random.default_rng(SEED)
    a = rng.integers(1, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32) | np.uint32(1)  # odd
    b = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64).astype(np.uint32)
    return a, b


_A, _B = _permutations()
_BAND_SALT = _mix64(np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93))
_ROW_MUL = np.random.default_rng(SEED + 1).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)
EMPTY_SIGNATURE = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def signatures(hash_sets: list[U64]) -> U32:
    """MinHash signatures (len × NUM_PERM, uint32) of many shingle sets at once: each permutation is
    a·h + b mod 2^32 with a odd (a bijection, so no collisions are added; datasketch's "affine32" scheme)
    over the shingle hashes' well-mixed top 32 bits, and the minimum per permutation, segment by segment."""
    out = np.empty((len(hash_sets), NUM_PERM), dtype=np.uint32)
    sizes = np.array([len(h) for h in hash_sets], dtype=np.int64)
    out[sizes == 0] = EMPTY_SIGNATURE
    present = [h for h in hash_sets if len(h)]
    where = np.flatnonzero(sizes)
    chunk = 1024  # keeps the (shingles × NUM_PERM) block in cache
    for start in range(0, len(present), chunk):
        part = present[start : start + chunk]
        flat = (np.concatenate(part) >> np.uint64(32)).astype(np.uint32)
        offsets = np.concatenate(([0], np.cumsum([len(h) for h in part])[:-1]))
        with np.errstate(over="ignore"):
            values = flat[:, None] * _A[None, :] + _B[None, :]
        out[where[start : start + chunk]] = np.minimum.reduceat(values, offsets, axis=0)
    return out


def signature(text: str) -> U32:
    """The MinHash signature of one post (normalised first)."""
    return signatures([shingle_hashes(normalise(text))])[0]


def band_keys(sigs: U32) -> U64:
    """LSH band keys (len × BANDS, uint64): each band's ROWS values folded into one 64-bit key, salted by
    the band's number so one flat sorted array can hold every band."""
    s = sigs[:, : BANDS * ROWS].reshape(len(sigs), BANDS, ROWS).astype(np.uint64)
    with np.errstate(over="ignore"):
        folded = (s * _ROW_MUL[None, None, :]).sum(axis=2, dtype=np.uint64)
        return _mix64(folded ^ _BAND_SALT[None, :])


def estimated_similarity(a: U32, b: U32) -> float:
    """The estimated Jaccard similarity of two posts' shingle sets (share of equal signature values)."""
    if np.array_equal(a, EMPTY_SIGNATURE) or np.array_equal(b, EMPTY_SIGNATURE):
        return 0.0
    return float(np.mean(a == b))


def to_signed(keys: U64) -> list[int]:
    """Band keys as signed 64-bit integers (what a BIGINT column holds)."""
    return [int(k) for k in keys.view(np.int64)]


def signature_hex(sig: U32) -> str:
    return sig.astype(">u4").tobytes().hex()


def signature_from_hex(text: str) -> U32:
    raw = bytes.fromhex(text)
    if len(raw) != NUM_PERM * 4:
        raise ValueError(f"a signature has {NUM_PERM * 4} bytes, not {len(raw)}")
    return np.frombuffer(raw, dtype=">u4").astype(np.uint32)


# --- images: PDQ (Meta's perceptual hash, 256 bits); ≤ 31 differing bits is its published match distance


def pdq_distance(a_hex: str, b_hex: str) -> int:
    """Hamming distance between two PDQ hashes (hex, 64 digits)."""
    return (int(a_hex, 16) ^ int(b_hex, 16)).bit_count()


def check_pdq_hex(text: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", text):
        raise ValueError("a PDQ hash is 64 lower-case hex digits")
    return text


# --- the side-by-side view


@dataclass(frozen=True)
class DiffRow:
    """One aligned stretch of the original and the new post: equal, changed, removed or added."""

    kind: str  # equal, replace, delete, insert
    original: str
    new: str


def side_by_side(original: str, new: str) -> list[DiffRow]:
    """The two texts aligned character by character (difflib), for a person to see what was edited."""
    matcher = difflib.SequenceMatcher(None, original, new, autojunk=False)
    return [DiffRow(op, original[i1:i2], new[j1:j2]) for op, i1, i2, j1, j2 in matcher.get_opcodes()]


# --- pile-ons


@dataclass(frozen=True)
class Burst:
    """Abusive replies to one account inside the window, against what that account usually receives."""

    count: int
    baseline_per_window: float
    is_burst: bool


def burst(
    count: int, baseline_count: int, baseline_windows: float, *, min_count: int, factor: float
) -> Burst:
    """A pile-on: at least `min_count` abusive replies in the window, and at least `factor` times the
    account's usual number per window (its baseline; an account that never gets any has baseline 0)."""
    per_window = baseline_count / baseline_windows if baseline_windows > 0 else 0.0
    return Burst(count, per_window, count >= min_count and count >= factor * per_window)


def drivers(authors: list[str], share: float = 0.8) -> list[tuple[str, int]]:
    """The fewest accounts that wrote `share` of the abusive replies, most active first (炎上参加者はごく一部)."""
    counts = Counter(authors).most_common()
    total = sum(n for _, n in counts)
    out: list[tuple[str, int]] = []
    covered = 0
    for author, n in counts:
        if total and covered >= share * total:
            break
        out.append((author, n))
        covered += n
    return out
