"""Evidence timings: seconds per capture of a local page, and ledger verification on 100,000 entries.

.venv/bin/python bench/evidence.py [--captures 5] [--entries 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

from tests.evidence.site import Site  # noqa: E402

from mamori.core.clock import SystemClock  # noqa: E402
from mamori.evidence import ledger  # noqa: E402
from mamori.evidence.capture import capture_page  # noqa: E402
from mamori.evidence.model import LedgerAction, LedgerEntry  # noqa: E402
from mamori.evidence.package import write_package  # noqa: E402
from mamori.evidence.settings import EvidenceSettings  # noqa: E402


def bench_captures(n: int, tmp: Path) -> None:
    settings = EvidenceSettings(root=tmp / "ev", allow_private_fetch=True)
    capture_s, package_s = [], []
    with Site() as site:
        for i in range(n):
            t0 = time.perf_counter()
            result = capture_page(f"{site.base}/go", settings=settings, clock=SystemClock())
            t1 = time.perf_counter()
            write_package(tmp / f"pkg{i}", result, item_id=f"bench{i}", settings=settings)
            t2 = time.perf_counter()
            capture_s.append(t1 - t0)
            package_s.append(t2 - t1)
    print(f"capture of a local page (redirect + page + image), {n} runs:")
    print(f"  browser capture  median {statistics.median(capture_s):.2f} s  (min {min(capture_s):.2f})")
    print(f"  package (WACZ, screenshots, metadata, signature)  median {statistics.median(package_s):.2f} s")
    print(
        f"  total per capture  median {statistics.median(a + b for a, b in zip(capture_s, package_s)):.2f} s"
    )


def bench_ledger(n: int, tmp: Path) -> None:
    t0 = time.perf_counter()
    chain: list[LedgerEntry] = []
    at = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    previous = None
    for i in range(n):
        previous = ledger.chain_next(
            previous,
            LedgerEntry(0, at, "user:bench", LedgerAction.capture, f"item{i}", f"{i:064x}", "bench"),
        )
        chain.append(previous)
    t1 = time.perf_counter()
    problems = ledger.verify_chain(chain)
    t2 = time.perf_counter()
    path = tmp / "ledger.jsonl"
    ledger.write_jsonl(chain, path)
    t3 = time.perf_counter()
    problems_file = ledger.verify_chain(ledger.read_jsonl(path))
    t4 = time.perf_counter()
    assert not problems and not problems_file
    print(f"ledger of {n:,} entries:")
    print(f"  build chain      {t1 - t0:.2f} s")
    print(f"  verify in memory {t2 - t1:.2f} s  ({n / (t2 - t1):,.0f} entries/s)")
    print(f"  verify from JSONL export {t4 - t3:.2f} s  ({n / (t4 - t3):,.0f} entries/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--captures", type=int, default=5)
    parser.add_argument("--entries", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.captures:
            bench_captures(args.captures, Path(tmp))
        bench_ledger(args.entries, Path(tmp))


if __name__ == "__main__":
    main()
