"""The content scan (issue 15): a generated Parquet file scanned on a local Dask cluster of 2 workers,
killed in the middle and resumed, gives exactly what a single-process run gives; JSON lines too; bad
input refused with its place."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mamori.cli import app as cli
from mamori.scan.engine import read_result, scan

# TEST DATA: invented posts, some abusive (threats, insults, a doxxing), most ordinary.
ABUSIVE = [
    "お前を殺してやる。家は分かっているぞ",
    "こいつは本当に馬鹿で死ねばいいのに",
    "〇〇の住所は東京都新宿区西新宿2-8-1、電話は090-1234-5678",
    "ゴミみたいな人間、消えろ",
]
ORDINARY = [
    "今日は天気がいいので散歩に行きました",
    "新しいカフェのケーキが美味しかった",
    "この政策には反対です。理由は財源が不明確だからです",
    "明日の会議は10時からです",
]


def make_posts(path: Path, rows: int = 1200, per_group: int = 40) -> None:
    texts = [(ABUSIVE if i % 5 == 0 else ORDINARY)[i % 4] + f" ({i})" for i in range(rows)]
    table = pa.table({"id": [f"p{i:06d}" for i in range(rows)], "text": texts})
    pq.write_table(table, path, row_group_size=per_group)


def test_the_inline_run_flags_abusive_posts_only(tmp_path: Path) -> None:
    src = tmp_path / "posts.parquet"
    make_posts(src, rows=80, per_group=20)
    report = scan(src, tmp_path / "out", cluster="inline")
    assert (report.chunks, report.posts) == (4, 80)
    result = read_result(tmp_path / "out").to_pylist()
    flagged = {r["id"] for r in result}
    assert flagged and flagged <= {f"p{i:06d}" for i in range(80) if i % 5 == 0}
    threat = next(r for r in result if "殺してやる" in r["text"])
    assert "threat" in threat["categories"] and json.loads(threat["spans"])
    again = scan(src, tmp_path / "out", cluster="inline")  # everything done: nothing redone
    assert (again.done_before, again.posts) == (4, 0)


@pytest.mark.slow
def test_a_killed_cluster_scan_resumes_to_the_single_process_result(tmp_path: Path) -> None:
    src = tmp_path / "posts.parquet"
    make_posts(src)
    reference = tmp_path / "reference"
    scan(src, reference, cluster="inline")
    out = tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [
        sys.executable,
        "-m",
        "mamori.cli",
        "detect",
        "scan",
        str(src),
        "--out",
        str(out),
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list(out.glob("part-*.parquet")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and both workers, mid-scan
    proc.wait()
    done_at_kill = len(list(out.glob("part-*.parquet")))
    assert 0 < done_at_kill < 30, f"{done_at_kill} of 30 parts when killed"
    result = CliRunner().invoke(cli, ["detect", "scan", str(src), "--out", str(out), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "done before" in result.output
    assert len(list(out.glob("part-*.parquet"))) == 30
    assert read_result(out).equals(read_result(reference))


def test_json_lines_are_scanned_in_byte_ranges_like_parquet(tmp_path: Path) -> None:
    src = tmp_path / "posts.jsonl"
    lines = [
        json.dumps({"post": f"j{i:04d}", "body": (ABUSIVE + ORDINARY)[i % 8]}, ensure_ascii=False)
        for i in range(64)
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = scan(
        src, tmp_path / "out", cluster="inline", id_column="post", text_column="body", chunk_bytes=512
    )
    assert report.chunks > 3 and report.posts == 64
    ids = read_result(tmp_path / "out").column("id").to_pylist()
    assert ids == sorted(ids) and "j0000" in ids and "j0004" not in ids


def test_bad_input_is_refused_with_its_place(tmp_path: Path) -> None:
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "a", "text": "x"}\nnot json\n', encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["detect", "scan", str(src), "--out", str(tmp_path / "o"), "--cluster", "inline"]
    )
    assert result.exit_code == 2 and "byte 25" in result.output
    other = tmp_path / "posts.csv"
    other.write_text("id,text\n")
    result = CliRunner().invoke(cli, ["detect", "scan", str(other), "--out", str(tmp_path / "o2")])
    assert result.exit_code == 2 and "Parquet" in result.output
