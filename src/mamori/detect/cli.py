"""`mamori detect score | train | eval`: thin commands over the service, the artifact and evaluation."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mamori.detect import service
from mamori.detect.artifact import load_training_posts, train_and_write
from mamori.detect.crossval import CrossValidationReport, cross_validate
from mamori.detect.evaluation import EvaluationReport, evaluate
from mamori.detect.model import DetectionResult
from mamori.detect.training import DEFAULT_SEED

app = typer.Typer(help="Japanese abuse detection: score posts, train and evaluate the model.")
err = Console(stderr=True)
DEFAULT_DATA = Path("../shared/data/court-defamation/train.jsonl")
BATCH = 512


def resolve_data(path: Path) -> Path:
    """A relative data path is looked up from the working directory, then from the repository root."""
    if path.is_absolute() or path.exists():
        return path
    repo_root = Path(__file__).resolve().parents[3]
    candidate = repo_root / path
    if candidate.exists():
        return candidate
    raise typer.BadParameter(f"no data file at {path} (nor at {candidate})")


def result_record(post_id: Any, result: DetectionResult) -> dict[str, Any]:
    return {
        "id": post_id,
        "scores": {c.value: s for c, s in result.scores.items()},
        "flags": [c.value for c in result.flags],
        "spans": [
            {"start": s.start, "end": s.end, "category": s.category.value, "why": s.why} for s in result.spans
        ],
        "notices": [n.value for n in result.notices],
    }


def _read_posts(raw: bytes, number: int) -> tuple[Any, str] | dict[str, Any]:
    """(id, text) of one input line, or the error record that stands in its place."""

    def error(code: str, message: str, post_id: Any = None) -> dict[str, Any]:
        return {"id": post_id, "line": number, "error": code, "message": message}

    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return error("invalid_utf8", f"not valid UTF-8 at byte {exc.start}")
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return error("malformed_json", f"not a JSON object: {exc.msg} (column {exc.colno})")
    if not isinstance(row, dict):
        return error("malformed_json", "a line must be a JSON object with id and text")
    if not isinstance(row.get("text"), str):
        return error("missing_text", 'the object has no string field "text"', row.get("id"))
    return row.get("id"), row["text"]


def _batches(lines: list[bytes]) -> Iterator[list[tuple[int, bytes]]]:
    numbered = [(i + 1, raw) for i, raw in enumerate(lines) if raw.strip()]
    for start in range(0, len(numbered), BATCH):
        yield numbered[start : start + BATCH]


@app.command()
def score(
    input_path: Annotated[Path, typer.Option("--in", help="JSONL, one {id, text} a line")],
    output_path: Annotated[Path, typer.Option("--out", help="JSONL, one result or error record a line")],
    full: Annotated[
        bool,
        typer.Option(
            "--full/--cascade",
            help="run the full model on every post, or (default) the stream cascade: a cheap gate first",
        ),
    ] = False,
) -> None:
    """Score every post of a JSONL file; bad lines become error records and are reported on stderr.

    By default the stream cascade screens the posts: the full model reads only those the gate passes
    (the others carry the notice "screened").
    """
    score_batch = service.score_texts if full else service.screen_texts
    lines = input_path.read_bytes().splitlines()
    errors = 0
    with (
        output_path.open("w", encoding="utf-8") as out,
        Progress(
            TextColumn("scoring"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=err,
        ) as progress,
    ):
        task = progress.add_task("score", total=sum(1 for raw in lines if raw.strip()))
        for batch in _batches(lines):
            parsed = [(n, _read_posts(raw, n)) for n, raw in batch]
            good = [(n, p) for n, p in parsed if isinstance(p, tuple)]
            results = iter(score_batch([p[1] for _, p in good]))
            for n, p in parsed:
                if isinstance(p, dict):
                    errors += 1
                    err.print(f"line {n}: {p['error']}: {p['message']}", highlight=False)
                    record = p
                else:
                    record = result_record(p[0], next(results))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress.advance(task, len(batch))
    if errors:
        err.print(f"{errors} line(s) could not be scored; see the error records in {output_path}")


NEGATIVE_LABEL = {
    "court_negative": "court hard negatives (disputed, not upheld)",
    "ordinary": "ordinary negatives (board posts never disputed)",
    "inspection": "inspection-toxic non-toxic posts",
}


def print_report(report: EvaluationReport, console: Console) -> None:
    console.print(
        f"validation split by case (seed {report.seed}): {report.valid_posts} posts, {report.valid_cases} "
        f"court cases; trained on {report.train_posts} posts"
    )
    for system in report.systems:
        table = Table(title=system.name)
        for column in ("category", "n+", "precision", "recall", "F1", "PR-AUC"):
            table.add_column(column)
        for name, m in system.categories.items():
            cells = [
                f"{i.value:.3f} [{i.low:.2f}, {i.high:.2f}]" for i in (m.precision, m.recall, m.f1, m.pr_auc)
            ]
            table.add_row(name, str(m.positives), *cells)
        console.print(table)
        for neg in system.negatives:
            console.print(
                f"  {NEGATIVE_LABEL.get(neg.source, neg.source)}: {neg.posts} posts, flagged as abuse {neg.flagged_share:.1%}, "
                f"mean abuse score {neg.mean_score:.3f}"
            )


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="court-defamation train.jsonl")] = DEFAULT_DATA,
    decided: Annotated[Path | None, typer.Option(help="JSONL of the platform's decided cases")] = None,
    out: Annotated[
        Path, typer.Option(help="folder for detector.joblib and metadata.json")
    ] = service.model_path().parent,
    seed: Annotated[int, typer.Option()] = DEFAULT_SEED,
    cv: Annotated[
        int, typer.Option(help="folds of the grouped cross-validation stored with it; 0: none")
    ] = 5,
) -> None:
    """Rebuild the model reproducibly and store it with its metadata and cross-validated figures."""
    metadata, report = train_and_write(
        resolve_data(data), out, seed, decided, cv, progress=lambda line: err.print(line, highlight=False)
    )
    if report is not None:
        print_cv_report(report, Console(width=170))
    typer.echo(f"wrote {out / 'detector.joblib'} and metadata.json (licence {metadata['licence']})")
    service.use_detector(None)


def print_cv_report(report: CrossValidationReport, console: Console) -> None:
    console.print(
        f"grouped {report.folds}-fold cross-validation by case (seed {report.seed}): {report.posts} posts, "
        f"{report.court_cases} court cases; thresholds chosen inside the training folds only"
    )
    names = list(report.systems)
    table = Table(title=escape("mean ± std [min, max] over the folds"))
    table.add_column("figure")
    for name in names:
        table.add_column(name)
    for key in report.systems[names[0]]:
        cells = []
        for name in names:
            s = report.systems[name].get(key)
            if s is None or np.isnan(s.mean):  # not measured for this system
                cells.append("-")
            else:
                cells.append(f"{s.mean:.3f} ± {s.std:.3f} [{s.min:.3f}, {s.max:.3f}]")
        table.add_row(key, *cells)
    console.print(table)
    console.print(
        f"folds where mamori's defamation F1 is above the baseline's: "
        f"{report.defamation_folds_above_baseline}/{report.folds}"
    )
    if report.category_sets:
        sets = Table(title="hand-written category sets (shipped model; src/mamori/detect/eval_sets/)")
        for column in ("category", "positives", "hard negatives", "precision", "recall"):
            sets.add_column(column)
        for m in report.category_sets:
            sets.add_row(
                m.category, str(m.positives), str(m.negatives), f"{m.precision:.3f}", f"{m.recall:.3f}"
            )
        console.print(sets)
        for m in report.category_sets:
            for text in m.missed:
                console.print(f"  {m.category} missed: {text}", highlight=False)
            for text in m.false_positives:
                console.print(f"  {m.category} false alarm: {text}", highlight=False)


@app.command(name="eval")
def evaluate_command(
    data: Annotated[Path, typer.Option(help="court-defamation train.jsonl")] = DEFAULT_DATA,
    decided: Annotated[Path | None, typer.Option(help="JSONL of the platform's decided cases")] = None,
    seed: Annotated[int, typer.Option()] = DEFAULT_SEED,
    cv: Annotated[
        int, typer.Option(help="folds of the grouped cross-validation by case; 0: one by-case split")
    ] = 5,
    rounds: Annotated[int, typer.Option(help="bootstrap rounds (single split only)")] = 500,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Grouped k-fold CV by case: mean and spread of every figure beside the baseline trained in the
    same folds, a cross-domain figure on inspection-toxic, and the hand-written category sets."""
    posts = load_training_posts(resolve_data(data), decided)
    report: CrossValidationReport | EvaluationReport
    if cv >= 2:
        report = cross_validate(
            posts,
            cv,
            seed,
            detector=service.detector(),
            progress=lambda line: err.print(line, highlight=False),
        )
    else:
        report = evaluate(posts, seed, rounds)
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=1) + "\n")
    elif isinstance(report, CrossValidationReport):
        print_cv_report(report, Console(width=170))
    else:
        print_report(report, Console(width=150))
