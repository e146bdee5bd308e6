"""`mamori drafting deletion | disclosure | send | follow`: drafts from a JSON file, sending, following.

Outputs are produced in memory first and then written through a temporary file and a rename, so a
failure never leaves a half-written PDF or text file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from mamori.core.clock import SystemClock, format_jst
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.drafting import service
from mamori.drafting.reading import read_deletion
from mamori.drafting.service import DraftKind, Output, OutputFormat

EXAMPLES = Path(__file__).resolve().parent / "examples"

app = typer.Typer(
    help="Draft the deletion request (侵害情報の通知書) and the disclosure request (発信者情報開示請求書); "
    "send a deletion request to a window that runs mamori.",
    no_args_is_help=True,
)

InFile = Annotated[
    Path,
    typer.Option("--in", help="The draft as JSON (`mamori drafting example KIND` prints one to start from)."),
]
PdfOut = Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")]
TextOut = Annotated[Path | None, typer.Option("--text", help="Write the plain text (to paste) here.")]


def fail(lines: list[str], code: int = 2) -> typer.Exit:
    for line in lines:
        typer.echo(line, err=True)
    return typer.Exit(code)


def explain(error: DomainError) -> list[str]:
    """A domain error as lines a person can act on, Japanese then English, field by field."""
    lines = [f"エラー / error: {error.ja} / {error.en}"]
    for item in error.as_json()["detail"]:  # type: ignore[attr-defined]
        message = item["message"]
        lines.append(f"  {item['field'] or '-'}: {message['ja']} / {message['en']}")
    return lines


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise fail([f"ファイルがありません / no such file: {path}"]) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail([f"JSON として読めません / not valid JSON: {path}: {exc}"]) from None


def write_atomically(path: Path, content: bytes) -> None:
    """Write via a temporary file in the same folder and a rename: all of it or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def draft_command(kind: DraftKind, source: Path, pdf: Path | None, text: Path | None) -> None:
    if pdf is None and text is None:
        raise fail(["--pdf か --text を指定してください / give --pdf and/or --text"])
    for target in (pdf, text):
        if target is not None and not target.parent.is_dir():
            raise fail([f"出力先のフォルダがありません / no such folder: {target.parent}"])
    data = load_json(source)
    now = SystemClock().now()
    outputs: list[tuple[Path, Output]] = []
    try:
        draft = service.read_draft(kind, data)
        if pdf is not None:
            outputs.append((pdf, service.produce(draft, OutputFormat.PDF, at=now)))
        if text is not None:
            outputs.append((text, service.produce(draft, OutputFormat.TEXT, at=now)))
    except DomainError as exc:
        raise fail(explain(exc)) from None
    for path, output in outputs:
        write_atomically(path, output.content)
        typer.echo(f"{path} ({len(output.content)} bytes)")


@app.command()
def deletion(source: InFile, pdf: PdfOut = None, text: TextOut = None) -> None:
    """侵害情報の通知書 兼 送信防止措置に関する照会書 (deletion request) from a JSON file."""
    draft_command(DraftKind.DELETION, source, pdf, text)


@app.command()
def disclosure(source: InFile, pdf: PdfOut = None, text: TextOut = None) -> None:
    """発信者情報開示請求書 (disclosure request) from a JSON file."""
    draft_command(DraftKind.DISCLOSURE, source, pdf, text)


@app.command()
def example(kind: Annotated[DraftKind, typer.Argument(help="deletion or disclosure")]) -> None:
    """Print an example draft (DEMO data) as JSON, to copy and fill in."""
    typer.echo((EXAMPLES / f"{kind.value}.json").read_text(encoding="utf-8"), nl=False)


@app.command()
def send(
    source: InFile,
    to: Annotated[str, typer.Option("--to", help="Base address of the service's mamori (https://…).")],
    service_slug: Annotated[str, typer.Option("--service", help="The service's name at that window.")],
) -> None:
    """Send a deletion request to a service that runs mamori; print the receipt, or the guided steps."""
    from mamori.core.db import make_engine, make_sessionmaker, transaction

    settings = Settings()
    now = SystemClock().now()
    data = load_json(source)
    try:
        draft = read_deletion(data)
        if service.window_schema(to, settings=settings, at=now) is None:
            typer.echo("mamori の受付窓口ではありません。次の手順で送ってください / no mamori window here:")
            addressee = data.get("addressee", "") if isinstance(data, dict) else ""
            for number, step in enumerate(service.guided_steps(addressee or service_slug), start=1):
                typer.echo(f"{number}. {step.ja}\n   {step.en}")
            raise typer.Exit(3)
        with transaction(make_sessionmaker(make_engine(settings.database_url))) as db:
            sent = service.send_deletion(
                draft,
                base_url=to,
                service=service_slug,
                db=db,
                settings=settings,
                at=now,
                by=service.CLI_ACTOR,
            )
    except DomainError as exc:
        raise fail(explain(exc)) from None
    typer.echo(f"受付番号 / receipt number: {sent.receipt_number}")
    typer.echo(f"受付日時 / received at: {format_jst(sent.received_at)}")
    typer.echo(f"確認用 URL / follow: {sent.follow_url}")
    typer.echo(f"記録 / record: {sent.id}")


@app.command()
def follow(submission_id: Annotated[str, typer.Argument(help="The record id printed by `send`.")]) -> None:
    """Ask the window for the status of a request sent with `send` (only those: others are staff's)."""
    from mamori.core.db import make_engine, make_sessionmaker, transaction

    settings = Settings()
    try:
        with transaction(make_sessionmaker(make_engine(settings.database_url))) as db:
            sent = service.refresh_status(
                submission_id, by=service.CLI_ACTOR, db=db, settings=settings, at=SystemClock().now()
            )
    except DomainError as exc:
        raise fail(explain(exc)) from None
    typer.echo(f"{sent.receipt_number}: {sent.status}")
