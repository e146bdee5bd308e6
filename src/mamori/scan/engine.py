"""The scan: chunks, the task that screens one chunk, and the driver (local, or a Dask cluster)."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from mamori.core.errors import DomainError

JSONL_CHUNK_BYTES = 4 * 1024 * 1024
OUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("text", pa.string()),
        ("categories", pa.list_(pa.string())),
        ("scores", pa.string()),  # JSON {category: probability}
        ("spans", pa.string()),  # JSON [{start, end, category, why}]
    ]
)
MANIFEST = "_scan.json"


@dataclass(frozen=True)
class Chunk:
    """One task's share of the input: a Parquet row group, or a byte range of whole JSON lines."""

    number: int
    kind: str  # "parquet" or "jsonl"
    start: int  # row group index, or first byte
    end: int  # (row group index + 1), or byte after the last line

    @property
    def part_name(self) -> str:
        return f"part-{self.number:06d}.parquet"


def input_kind(path: Path) -> str:
    if path.suffix in (".parquet", ".pq"):
        return "parquet"
    if path.suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise DomainError(
        code="scan_input",
        field="input",
        ja=f"{path.name}: Parquet (.parquet) か JSON Lines (.jsonl) のファイルを指定してください。",
        en=f"{path.name}: give a Parquet (.parquet) or JSON Lines (.jsonl) file.",
    )


def chunks_of(path: Path, *, chunk_bytes: int = JSONL_CHUNK_BYTES) -> list[Chunk]:
    """The chunks of the input, found without reading it whole (row-group metadata, or seeks to line
    boundaries), so an input of any size is planned in little memory."""
    kind = input_kind(path)
    if kind == "parquet":
        groups = pq.ParquetFile(path).num_row_groups
        return [Chunk(i, "parquet", i, i + 1) for i in range(groups)]
    size = path.stat().st_size
    bounds = [0]
    with path.open("rb") as fh:
        while bounds[-1] < size:
            fh.seek(min(bounds[-1] + chunk_bytes, size))
            fh.readline()  # to the end of the line the seek fell in
            bounds.append(min(fh.tell(), size))
    return [Chunk(i, "jsonl", a, b) for i, (a, b) in enumerate(itertools.pairwise(bounds)) if b > a]


def read_chunk(path: Path, chunk: Chunk, id_column: str, text_column: str) -> tuple[list[str], list[str]]:
    """(ids, texts) of a chunk; a row without an id or text is refused with its place in the file."""
    if chunk.kind == "parquet":
        table = pq.ParquetFile(path).read_row_group(chunk.start, columns=[id_column, text_column])
        ids = [str(v) for v in table.column(id_column).to_pylist()]
        texts = ["" if v is None else str(v) for v in table.column(text_column).to_pylist()]
        return ids, texts
    ids, texts = [], []
    with path.open("rb") as fh:
        fh.seek(chunk.start)
        offset = chunk.start
        while offset < chunk.end:
            raw = fh.readline()
            if not raw:
                break
            where = offset
            offset += len(raw)
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                ids.append(str(row[id_column]))
                texts.append(str(row.get(text_column) or ""))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise DomainError(
                    code="scan_input_row",
                    field="input",
                    ja=f"{path.name} (バイト位置 {where}): JSON の行に {id_column} と {text_column} が必要です ({exc})。",
                    en=f"{path.name} (byte {where}): each JSON line needs {id_column} and {text_column} ({exc}).",
                ) from None
    return ids, texts


def screen_chunk(
    input_path: str, chunk: Chunk, out_dir: str, id_column: str, text_column: str, threshold: float | None
) -> dict[str, Any]:
    """The task: screen one chunk and write its flagged posts as one Parquet part. Idempotent: a part
    that exists is left as it is (written under a temporary name and renamed, it is whole or absent)."""
    from mamori.detect import service as detect

    target = Path(out_dir) / chunk.part_name
    if target.exists():
        return {"chunk": chunk.number, "posts": None, "flagged": None, "skipped": True}
    ids, texts = read_chunk(Path(input_path), chunk, id_column, text_column)
    rows: dict[str, list[Any]] = {name: [] for name in OUT_SCHEMA.names}
    for post_id, text, result in zip(ids, texts, detect.screen_texts(texts), strict=True):
        scores = {str(c): round(float(s), 6) for c, s in result.scores.items()}
        if threshold is None:
            categories = [str(c) for c in result.flags]
        else:
            categories = [c for c, s in scores.items() if s >= threshold]
        if not categories:
            continue
        rows["id"].append(post_id)
        rows["text"].append(text)
        rows["categories"].append(categories)
        rows["scores"].append(json.dumps(scores, sort_keys=True))
        rows["spans"].append(
            json.dumps(
                [
                    {"start": s.start, "end": s.end, "category": str(s.category), "why": s.why}
                    for s in result.spans
                ],
                ensure_ascii=False,
            )
        )
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    pq.write_table(pa.table(rows, schema=OUT_SCHEMA), temporary)
    os.replace(temporary, target)
    return {"chunk": chunk.number, "posts": len(ids), "flagged": len(rows["id"]), "skipped": False}


@dataclass
class ScanReport:
    chunks: int
    done_before: int
    posts: int
    flagged: int
    seconds: float

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.seconds if self.seconds > 0 else 0.0


def scan(
    input_path: Path,
    out_dir: Path,
    *,
    cluster: str | None = None,
    workers: int = 2,
    id_column: str = "id",
    text_column: str = "text",
    threshold: float | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    chunk_bytes: int = JSONL_CHUNK_BYTES,
) -> ScanReport:
    """Run the scan to the end (resuming what an earlier run left). `cluster`: a scheduler address;
    None: a local cluster of `workers` processes; "inline": this process only (the reference run)."""
    if not input_path.is_file():
        raise DomainError(
            code="scan_input",
            field="input",
            ja=f"{input_path} がありません。",
            en=f"{input_path} does not exist.",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    plan = chunks_of(input_path, chunk_bytes=chunk_bytes)
    manifest = out_dir / MANIFEST
    described = {
        "input": str(input_path.resolve()),
        "chunks": len(plan),
        "id": id_column,
        "text": text_column,
        "threshold": threshold,
    }
    if manifest.exists() and json.loads(manifest.read_text()) != described:
        raise DomainError(
            code="scan_out_mismatch",
            field="out",
            ja=f"{out_dir} には別の条件の走査結果があります。別のフォルダを指定してください。",
            en=f"{out_dir} holds a scan of another input or with other options: choose another folder.",
        )
    manifest.write_text(json.dumps(described))
    todo = [c for c in plan if not (out_dir / c.part_name).exists()]
    started = time.perf_counter()
    posts = flagged = 0
    args = (str(input_path), str(out_dir), id_column, text_column, threshold)

    def done(result: dict[str, Any], finished: int) -> None:
        nonlocal posts, flagged
        posts += result["posts"] or 0
        flagged += result["flagged"] or 0
        if progress:
            progress(len(plan) - len(todo) + finished, len(plan), posts)

    if cluster == "inline" or not todo:
        for number, chunk in enumerate(todo, start=1):
            done(screen_chunk(args[0], chunk, *args[1:]), number)
    else:
        for number, result in enumerate(_on_dask(todo, args, cluster, workers), start=1):
            done(result, number)
    return ScanReport(len(plan), len(plan) - len(todo), posts, flagged, time.perf_counter() - started)


def _on_dask(
    todo: list[Chunk], args: tuple[Any, ...], cluster: str | None, workers: int
) -> Iterator[dict[str, Any]]:
    from distributed import Client, LocalCluster, as_completed

    local = None
    if cluster is None:
        local = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
    client = Client(local if local is not None else cluster)
    try:
        input_path, out_dir, id_column, text_column, threshold = args
        futures = [
            client.submit(
                screen_chunk,
                input_path,
                c,
                out_dir,
                id_column,
                text_column,
                threshold,
                key=f"scan-{c.number}-{c.part_name}",
                retries=2,
            )
            for c in todo
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if local is not None:
            local.close()


def read_result(out_dir: Path) -> pa.Table:
    """Every flagged post of a finished scan, in id order (parts are written in any order)."""
    parts = sorted(out_dir.glob("part-*.parquet"))
    if not parts:
        return OUT_SCHEMA.empty_table()
    table = pa.concat_tables([pq.read_table(p, schema=OUT_SCHEMA) for p in parts])
    return table.sort_by("id")
