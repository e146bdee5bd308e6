"""Benchmark of Japanese abuse detection on one core: posts/s batched and one by one, nudge latency
p50/p99 and peak memory, beside the baseline (char 1-3-gram TF-IDF + LR) in the same run.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/detect.py [--data PATH] [--posts N]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from mamori.detect import service

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "court-defamation" / "train.jsonl"


def posts_per_second(score: Callable[[Sequence[str]], object], texts: list[str], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(texts), batch):
        score(texts[i : i + batch])
    return len(texts) / (time.perf_counter() - start)


def latencies_ms(call: Callable[[str], object], texts: list[str]) -> tuple[float, float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        call(text)
        times.append((time.perf_counter() - start) * 1000)
    q = statistics.quantiles(times, n=100)
    return q[49], q[98]


def peak_mib(run: Callable[[], object]) -> float:
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--posts", type=int, default=10_000)
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    corpus = [r["text"] for r in rows]
    texts = (corpus * (args.posts // len(corpus) + 1))[: args.posts]
    sample = texts[:2000]

    service.detector()  # load outside the timings
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    x = vectoriser.fit_transform(corpus)
    baseline = LogisticRegression(max_iter=2000).fit(x, [bool(r["infringed"]) for r in rows])

    def base_score(batch: Sequence[str]) -> object:
        return baseline.predict_proba(vectoriser.transform(batch))

    figures = {
        "mamori": {
            "batched posts/s": posts_per_second(service.score_texts, texts, 1000),
            "one by one posts/s": posts_per_second(service.score_texts, sample, 1),
            "nudge p50/p99 ms": latencies_ms(service.nudge, sample),
            "peak MiB (1000-post batch)": peak_mib(lambda: service.score_texts(texts[:1000])),
        },
        "baseline": {
            "batched posts/s": posts_per_second(base_score, texts, 1000),
            "one by one posts/s": posts_per_second(base_score, sample, 1),
            "nudge p50/p99 ms": latencies_ms(lambda t: base_score([t]), sample),
            "peak MiB (1000-post batch)": peak_mib(lambda: base_score(texts[:1000])),
        },
    }
    print(
        f"{len(texts)} posts (court-defamation texts repeated), "
        f"mean {np.mean([len(t) for t in texts]):.0f} chars"
    )
    for name, f in figures.items():
        p50, p99 = f["nudge p50/p99 ms"]  # type: ignore[misc]
        print(
            f"{name:9s} batched {f['batched posts/s']:8.0f} posts/s"
            f" | one by one {f['one by one posts/s']:7.0f} posts/s"
            f" | nudge p50 {p50:.2f} ms p99 {p99:.2f} ms | peak {f['peak MiB (1000-post batch)']:.1f} MiB"
        )
    m, b = figures["mamori"], figures["baseline"]
    print(
        f"ratio mamori/baseline: batched {m['batched posts/s'] / b['batched posts/s']:.2f}, "  # type: ignore[operator]
        f"one by one {m['one by one posts/s'] / b['one by one posts/s']:.2f}"  # type: ignore[operator]
    )
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
