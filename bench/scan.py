"""The content scan's speed: posts/s through `mamori detect scan` on a local Dask cluster of 1 and of 2
workers over the same generated Parquet file, and the scaling ratio (2 workers / 1 worker).

    OMP_NUM_THREADS=1 .venv/bin/python bench/scan.py [--posts 40000] [--group 2000]

One run, one process driving; the workers are processes of the local cluster. The posts are invented
(BENCHMARK DATA); about one in five is abusive. Nothing here is asserted by a test.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from mamori.scan.engine import read_result, scan

ABUSIVE = [
    "お前を殺してやる。家は分かっているぞ",
    "こいつは本当に馬鹿で死ねばいいのに",
    "ゴミみたいな人間、消えろ",
]
ORDINARY = [
    "今日は天気がいいので散歩に行きました。駅前の公園は桜が満開でした",
    "新しいカフェのケーキが美味しかった。また来週も行きたい",
    "この政策には反対です。理由は財源が不明確だからです",
    "明日の会議は10時からです。資料は共有フォルダにあります",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--group", type=int, default=2_000, help="posts per row group (one task each)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mamori-bench-scan-"))
    try:
        src = work / "posts.parquet"
        texts = [(ABUSIVE if i % 5 == 0 else ORDINARY)[i % 3] + f" #{i}" for i in range(args.posts)]
        pq.write_table(
            pa.table({"id": [f"p{i:08d}" for i in range(args.posts)], "text": texts}),
            src,
            row_group_size=args.group,
        )
        print(f"scan of {args.posts:,} posts in {args.posts // args.group} row groups")
        rates = {}
        results = {}
        for workers in (1, 2):
            out = work / f"out-{workers}"
            started = time.perf_counter()
            report = scan(src, out, workers=workers)
            elapsed = time.perf_counter() - started
            rates[workers] = args.posts / elapsed
            results[workers] = read_result(out)
            print(
                f"  {workers} worker(s): {elapsed:6.1f} s wall (cluster start included), "
                f"{rates[workers]:8,.0f} posts/s, {report.flagged:,} flagged"
            )
        print(
            f"  scaling 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x (ideal 2.00x; this machine has 2 cores)"
        )
        print(f"  same result on 1 and 2 workers: {results[1].equals(results[2])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
