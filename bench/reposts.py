"""Benchmark of the repost bank's look-ups: mamori's numpy LSH index beside datasketch's MinHashLSH, on
the same MinHash signatures of the same generated posts, in the same run.

Prints: signatures/s (shared by both), build time, memory per fingerprint, look-ups/s (mamori batched and
one at a time; datasketch one at a time, its only mode), and recall on edited reposts per kind of edit
(a hit: the original is found at estimated similarity >= the threshold), and false matches on unrelated
posts. Asserts nothing about time. Rates are per CPU second of this process (time.process_time: the
machine may be shared; both indexes are single-threaded numpy / Python).

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/reposts.py [--n 200000] [--queries 4000]
The issue's size is --n 10000000 (about 6.4 GB for mamori's index; datasketch needs far more).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from mamori.reposts import model, variants
from mamori.reposts.lsh import BandIndex


def rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of a few runs, in CPU seconds (timeit's rule: slower runs measure the machine's load)."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        run()
        times.append(time.process_time() - t0)
    return min(times)


def sigs_of(texts: list[str]) -> np.ndarray:
    return model.signatures([model.shingle_hashes(model.normalise(t)) for t in texts])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="fingerprints in the bank (issue: 10000000)")
    parser.add_argument(
        "--queries", type=int, default=4000, help="edited reposts looked up (plus as many unrelated)"
    )
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--skip-datasketch", action="store_true", help="for sizes datasketch cannot hold in memory"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)

    t0 = time.process_time()
    bank_texts = [variants.removed_post(rng) for _ in range(args.n)]
    print(f"generated {args.n:,} removed posts in {time.process_time() - t0:.1f} s")
    t0 = time.process_time()
    bank = np.concatenate([sigs_of(bank_texts[i : i + 50_000]) for i in range(0, args.n, 50_000)])
    sig_rate = args.n / (time.process_time() - t0)
    print(f"normalise + shingle + MinHash: {sig_rate:,.0f} posts/s (the same signatures feed both indexes)")

    kinds = list(variants.EDITS)
    picks = [rng.randrange(args.n) for _ in range(args.queries)]
    edited = [variants.EDITS[kinds[i % len(kinds)]](bank_texts[p], rng) for i, p in enumerate(picks)]
    unrelated = [variants.unrelated_post(rng) for _ in range(args.queries)]
    q_edit, q_unrel = sigs_of(edited), sigs_of(unrelated)
    queries = np.concatenate((q_edit, q_unrel))
    del bank_texts
    gc.collect()

    # --- mamori
    before = rss()
    t0 = time.process_time()
    index = BandIndex()
    index.add(bank)
    index.query(bank[:1], args.threshold)  # builds
    build = time.process_time() - t0
    ours_rss = rss() - before
    print(
        f"\nmamori BandIndex: built in {build:.1f} s; {index.nbytes / args.n:.0f} bytes/fingerprint "
        f"(arrays), {ours_rss / args.n:.0f} bytes/fingerprint (RSS growth)"
    )
    hits = [
        index.query(queries[i : i + args.batch], args.threshold) for i in range(0, len(queries), args.batch)
    ]
    ours_batched = len(queries) / best_of(
        3,
        lambda: [
            index.query(queries[i : i + args.batch], args.threshold)
            for i in range(0, len(queries), args.batch)
        ],
    )
    found: set[tuple[int, int]] = set()
    for i, h in zip(range(0, len(queries), args.batch), hits, strict=True):
        found |= set(zip((h.query + i).tolist(), h.fingerprint.tolist(), strict=True))
    matched_queries = {q for q, _ in found}
    single_n = min(2000, len(queries))
    ours_single = single_n / best_of(
        3, lambda: [index.query(queries[i : i + 1], args.threshold) for i in range(single_n)]
    )
    print(
        f"  look-ups/s: {ours_batched:,.0f} batched ({args.batch}), {ours_single:,.0f} one at a time "
        "(candidates verified by estimated similarity)"
    )

    def ours_found(i: int) -> bool:
        return (i, picks[i]) in found

    # --- datasketch
    ds_found: list[bool] = []
    ds_rate = ds_verified = ds_rss = 0.0
    ds_false = 0
    if not args.skip_datasketch:
        gc.collect()
        before = rss()
        t0 = time.process_time()
        lsh = MinHashLSH(threshold=args.threshold, num_perm=model.NUM_PERM)
        with lsh.insertion_session() as session:
            for i in range(args.n):
                session.insert(
                    i, LeanMinHash(seed=1, hashvalues=bank[i], scheme="affine32"), check_duplication=False
                )
        ds_build = time.process_time() - t0
        ds_rss = rss() - before
        print(
            f"\ndatasketch MinHashLSH (threshold {args.threshold}, b={lsh.b}, r={lsh.r}): built in {ds_build:.1f} s; "
            f"{ds_rss / args.n:.0f} bytes/fingerprint (RSS growth)"
        )
        q_minhash = [LeanMinHash(seed=1, hashvalues=q, scheme="affine32") for q in queries]
        candidates = [lsh.query(m) for m in q_minhash]
        ds_rate = len(queries) / best_of(3, lambda: [lsh.query(m) for m in q_minhash])

        def query_and_verify() -> None:
            for m, q in zip(q_minhash, queries, strict=True):
                c = np.fromiter(lsh.query(m), dtype=np.int64)
                _ = c[np.count_nonzero(bank[c] == q, axis=1) >= args.threshold * model.NUM_PERM]

        ds_verified = len(queries) / best_of(3, query_and_verify)
        print(
            f"  look-ups/s: {ds_rate:,.0f} one at a time, candidates only (its best case); "
            f"{ds_verified:,.0f} with the same verification as mamori's"
        )
        for i, cands in enumerate(candidates):
            ok = [c for c in cands if float(np.mean(bank[c] == queries[i])) >= args.threshold]
            ds_found.append(i < args.queries and picks[i] in ok)
        ds_false = sum(
            1
            for i, cands in enumerate(candidates[args.queries :])
            if any(float(np.mean(bank[c] == q_unrel[i])) >= args.threshold for c in cands)
        )

    # --- recall per kind of edit
    print(f"\nrecall on edited reposts (threshold {args.threshold}):")
    print(f"  {'edit':12s} {'mamori':>8s} {'datasketch':>11s}")
    for k, kind in enumerate(kinds):
        rows = [i for i in range(args.queries) if i % len(kinds) == k]
        ours_r = sum(ours_found(i) for i in rows) / len(rows)
        ds_r = sum(ds_found[i] for i in rows) / len(rows) if ds_found else float("nan")
        print(f"  {kind:12s} {ours_r:8.3f} {ds_r:11.3f}")
    ours_all = sum(ours_found(i) for i in range(args.queries)) / args.queries
    ours_false = sum(1 for q in matched_queries if q >= args.queries)
    print(f"  {'all':12s} {ours_all:8.3f} {sum(ds_found) / args.queries if ds_found else float('nan'):11.3f}")
    print(
        f"false matches on {args.queries:,} unrelated posts: mamori {ours_false}"
        + (f", datasketch {ds_false}" if ds_found else "")
    )
    if ds_rate:
        print(
            f"\nlook-up speed, mamori / datasketch (both verified): {ours_batched / ds_verified:.1f}x batched, "
            f"{ours_single / ds_verified:.1f}x one at a time; against datasketch's bare query: "
            f"{ours_batched / ds_rate:.1f}x batched, {ours_single / ds_rate:.1f}x one at a time"
        )
        print(
            f"memory per fingerprint: mamori {index.nbytes / args.n:.0f} bytes (its arrays), "
            f"datasketch {ds_rss / args.n:.0f} bytes (RSS growth while building)"
        )


if __name__ == "__main__":
    main()
