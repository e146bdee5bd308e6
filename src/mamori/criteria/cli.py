"""`mamori criteria`: draft a version from a file, publish it, list what was published."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
import yaml
from pydantic import ValidationError

from mamori.core.audit import Actor
from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import unit_of_work
from mamori.criteria import service
from mamori.criteria.api import VersionIn, to_draft

app = typer.Typer(help="Removal criteria (Art. 26): versions, clauses, publication.", no_args_is_help=True)


@app.command("load")
def load(
    path: Annotated[Path, typer.Argument(help="A YAML or JSON file: version, effective_from, clauses[].")],
    as_who: Annotated[str, typer.Option("--as", help="Who acts (audit log).")],
    publish: Annotated[bool, typer.Option(help="Publish at once.")] = False,
) -> None:
    """Write a new version of the criteria from a file (checked whole before anything is written)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        body = VersionIn.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        typer.echo(f"{path}: cannot read: {exc}", err=True)
        raise typer.Exit(2) from exc
    except ValidationError as exc:
        for err in exc.errors():
            typer.echo(f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}", err=True)
        raise typer.Exit(2) from exc
    if body.effective_from.tzinfo is None:
        typer.echo(f"{path}: effective_from needs an offset (e.g. 2026-04-01T00:00:00+09:00)", err=True)
        raise typer.Exit(2)
    now = SystemClock().now()
    with unit_of_work() as (db, _settings):
        version = service.create_draft(
            body.version,
            body.effective_from,
            to_draft(body),
            db=db,
            at=now,
            by=Actor(f"cli:{as_who}"),
            summary_ja=body.summary_ja,
            summary_en=body.summary_en,
        )
        if publish:
            service.publish(version.version, db=db, at=now, by=Actor(f"cli:{as_who}"))
    typer.echo(
        f"criteria {version.version}: {len(version.clauses)} clauses{' (published)' if publish else ''}"
    )


@app.command("publish")
def publish_version(version: str, as_who: Annotated[str, typer.Option("--as", help="Who acts.")]) -> None:
    """Publish a drafted version; decisions taken from now on may cite it."""
    with unit_of_work() as (db, _settings):
        service.publish(version, db=db, at=SystemClock().now(), by=Actor(f"cli:{as_who}"))
    typer.echo(f"published {version}")


@app.command("list")
def list_versions(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Published versions, oldest first."""
    with unit_of_work() as (db, _settings):
        versions = service.published(db=db)
    for v in versions:
        published = v.published_at or dt.datetime.min.replace(tzinfo=dt.UTC)
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "version": v.version,
                        "published_at": published.isoformat(),
                        "clauses": [c.code for c in v.clauses],
                    }
                )
            )
        else:
            typer.echo(
                f"{v.version:10} published {format_jst(published, 'en')}  clauses "
                f"{', '.join(c.code for c in v.clauses)}"
            )
