"""Benchmark of Japanese abuse detection on one core: the stream cascade, the full model and the
baseline (char 1-3-gram TF-IDF + LR) in the same run: posts/s batched, nudge latency p50/p99, memory,
the recall the cascade loses against the full model, and the labelled positives (posts the court or the
annotators found harmful) that the gate holds back.

The cascade, the full model and the baseline are timed batch by batch in turn (the order rotating), so
a change of load on a shared machine falls on all three alike and their ratio holds.

Two streams: the court-defamation texts (35% disputed in court: a worst case for the gate) and an
undisputed mix (the ordinary board posts and the inspection-toxic sample), each repeated to --posts.

Run: OMP_NUM_THREADS=1 .venv/bin/python bench/detect.py [--data PATH] [--posts N] [--model detector.joblib]
Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import csv
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
from mamori.detect.classifier import Detector
from mamori.detect.datasets import LabelledPost, default_sources
from mamori.detect.model import Category, Notice

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "court-defamation" / "train.jsonl"
BATCH = 1000


def posts_per_second(
    scorers: Sequence[Callable[[Sequence[str]], object]], texts: list[str], batch: int
) -> list[float]:
    """Posts/s of each scorer on texts in batches, the scorers timed in turn on each batch."""
    spent = [0.0] * len(scorers)
    for n, i in enumerate(range(0, len(texts), batch)):
        chunk = texts[i : i + batch]
        for k in range(len(scorers)):
            j = (n + k) % len(scorers)
            start = time.perf_counter()
            scorers[j](chunk)
            spent[j] += time.perf_counter() - start
    return [len(texts) / t for t in spent]


def gate_drops(posts: list[LabelledPost]) -> None:
    """Of the labelled positives (abuse: a right infringed, or toxic by the annotators), how many the gate
    holds back, and how many of those the full model would have flagged (what the cascade loses)."""
    positives = [p for p in posts if p.labels[Category.ABUSE]]
    texts = [p.text for p in positives]
    screened = service.screen_texts(texts)
    scored = service.score_texts(texts)
    for source in sorted({p.source for p in positives}):
        pick = [i for i, p in enumerate(positives) if p.source is source]
        held = [i for i in pick if Notice.SCREENED in screened[i].notices]
        flagged = [i for i in pick if scored[i].flags]
        lost = [i for i in held if scored[i].flags]
        print(
            f"labelled positives ({source}): {len(pick)}; the gate holds back {len(held)} "
            f"({len(held) / len(pick):.1%}); the full model flags {len(flagged)}, of which the gate holds "
            f"back {len(lost)} ({len(lost) / max(len(flagged), 1):.1%}, in sample)"
        )


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


def repeat_to(corpus: list[str], n: int) -> list[str]:
    return (corpus * (n // len(corpus) + 1))[:n]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--model", type=Path, help="a detector.joblib to measure instead of the shipped one")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    court = [r["text"] for r in rows]
    inspection_csv = args.data.parent.parent / "inspection-toxic" / "subset.csv"
    undisputed = [r["text"] for r in rows if r["case_id"] == "negative"]
    if inspection_csv.is_file():
        with inspection_csv.open(encoding="utf-8") as fh:
            undisputed += [row["text"] for row in csv.DictReader(fh)]

    if args.model is not None:
        service.use_detector(Detector.load(args.model))
    service.detector()  # load outside the timings
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    x = vectoriser.fit_transform(court)
    baseline = LogisticRegression(max_iter=2000).fit(x, [bool(r["infringed"]) for r in rows])

    def base_score(batch: Sequence[str]) -> object:
        return baseline.predict_proba(vectoriser.transform(batch))

    model_mib = (args.model or service.model_path()).stat().st_size / 2**20
    print(f"model artifact {model_mib:.1f} MiB; batches of {BATCH}; one core (OMP_NUM_THREADS=1)")
    for stream, corpus in (
        ("court-defamation texts", court),
        ("undisputed mix (ordinary + inspection)", undisputed),
    ):
        texts = repeat_to(corpus, args.posts)
        print(f"\n== {stream}: {len(texts)} posts, mean {np.mean([len(t) for t in texts]):.0f} chars")
        cascade, full, base = posts_per_second(
            (service.screen_texts, service.score_texts, base_score), texts, BATCH
        )
        once = corpus[: min(len(corpus), 2000)]
        screened = service.screen_texts(once)
        scored = service.score_texts(once)
        passed = sum(Notice.SCREENED not in r.notices for r in screened) / len(once)
        flagged = [i for i, r in enumerate(scored) if r.flags]
        kept = sum(bool(screened[i].flags) for i in flagged)
        loss = 1 - kept / len(flagged) if flagged else 0.0
        print(f"cascade  batched {cascade:8.0f} posts/s (gate passes {passed:.1%} to the full model)")
        print(f"full     batched {full:8.0f} posts/s")
        print(f"baseline batched {base:8.0f} posts/s")
        print(f"ratio cascade/baseline {cascade / base:.2f}; full/baseline {full / base:.2f}")
        print(
            f"cascade recall loss vs the full model: {loss:.1%} of the {len(flagged)} posts the full model "
            f"flags ({len(flagged) - kept} missed)"
        )
        print(
            f"peak MiB for a {BATCH}-post batch: cascade {peak_mib(lambda: service.screen_texts(texts[:BATCH])):.1f}, "
            f"full {peak_mib(lambda: service.score_texts(texts[:BATCH])):.1f}, "
            f"baseline {peak_mib(lambda: base_score(texts[:BATCH])):.1f}"
        )
    print()
    gate_drops(default_sources(args.data))
    sample = repeat_to(court, 2000)
    p50, p99 = latencies_ms(service.nudge, sample)
    b50, b99 = latencies_ms(lambda t: base_score([t]), sample)
    print(
        f"\nnudge (one draft, full model) p50 {p50:.2f} ms p99 {p99:.2f} ms; baseline p50 {b50:.2f} ms p99 {b99:.2f} ms"
    )
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
