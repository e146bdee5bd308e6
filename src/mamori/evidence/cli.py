"""`mamori evidence …`: capture a page into a signed package, verify packages and ledgers offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mamori.core.clock import SystemClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.evidence.settings import evidence_settings

app = typer.Typer(help="Evidence: server-side capture (WACZ), verification, ledger.", no_args_is_help=True)


@app.command("capture")
def capture_command(
    url: Annotated[str, typer.Argument(help="The page to capture (http or https).")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the package into.")],
) -> None:
    """Load URL in headless Chromium and write a signed package: WACZ, page, screenshots, metadata."""
    from mamori.core.db import new_id
    from mamori.evidence.capture import capture_page
    from mamori.evidence.package import write_package

    settings = evidence_settings(Settings())
    clock = SystemClock()
    try:
        result = capture_page(url, settings=settings, clock=clock)
        meta, profile = write_package(out, result, item_id=new_id(), settings=settings)
    except DomainError as exc:
        typer.echo(f"capture failed: {exc.en}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"captured {meta['final_url']} (HTTP {meta['http_status']}) at {meta['captured_at_jst']}")
    for name, info in sorted(meta["files"].items()):
        typer.echo(f"  {info['sha256']}  {out / name}")
    if profile.still_needed:
        typer.echo("still needed: " + ", ".join(profile.still_needed))


@app.command("verify")
def verify_command(
    path: Annotated[Path, typer.Argument(help="A package folder, a .wacz file or a ledger .jsonl export.")],
    tsa_ca: Annotated[
        Path | None, typer.Option("--tsa-ca", help="CA certificate of the time-stamp authority (full check).")
    ] = None,
) -> None:
    """Check a package or a ledger offline; exit 1 and say exactly what does not match."""
    from mamori.evidence.verify import verify_path

    kind, problems = verify_path(path, tsa_ca=tsa_ca)
    if problems:
        typer.echo(f"FAILED: {kind} {path}", err=True)
        for problem in problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(f"OK: {kind} {path} is intact")


@app.command("export-ledger")
def export_ledger_command(
    out: Annotated[
        Path, typer.Argument(help="The .jsonl file to write (a signed .head.json goes beside it).")
    ],
) -> None:
    """Export the evidence ledger of MAMORI_DATABASE_URL for offline verification."""
    from mamori.core.db import make_engine, make_sessionmaker, transaction
    from mamori.evidence.service import export_ledger

    settings = Settings()
    with transaction(make_sessionmaker(make_engine(settings.database_url))) as db:
        count = export_ledger(out, db=db, settings=evidence_settings(settings))
    typer.echo(f"{count} entries written to {out}")


@app.command("seal-stored")
def seal_stored_command() -> None:
    """Seal the files of items stored before evidence files were sealed at rest (run once after upgrading)."""
    from mamori.core.db import make_engine, make_sessionmaker, transaction
    from mamori.evidence.service import seal_stored

    settings = Settings()
    with transaction(make_sessionmaker(make_engine(settings.database_url))) as db:
        count = seal_stored(db=db, settings=evidence_settings(settings))
    typer.echo(f"{count} items sealed")
