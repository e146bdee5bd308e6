"""`mamori services`: the services whose removal requests the window receives (add, list, rename).

Adding and renaming act `--as EMAIL` of a staff account whose roles allow it (an administrator), as on
the administrator's page; a refused command writes nothing and exits 2.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mamori.core.clock import SystemClock
from mamori.core.command import staff_actor, unit_of_work
from mamori.requests import services

app = typer.Typer(
    help="Services whose removal requests this window receives (slug, names in ja and en).",
    no_args_is_help=True,
)
AsWho = Annotated[
    str,
    typer.Option("--as", help="The administrator's account that acts (its e-mail); its roles apply."),
]
NameJa = Annotated[
    str, typer.Option("--name-ja", help="The service's name in Japanese (shown to requesters).")
]
NameEn = Annotated[str, typer.Option("--name-en", help="The service's name in English.")]


def _line(service: services.Service) -> str:
    return f"{service.slug}\t{service.name_ja}\t{service.name_en}"


@app.command("add")
def add(
    slug: Annotated[
        str,
        typer.Argument(help="What requests name the service by: a-z, 0-9 and hyphens (fixed once added)."),
    ],
    name_ja: NameJa,
    name_en: NameEn,
    as_who: AsWho,
) -> None:
    """Add a service: removal requests to it are accepted from now on."""
    with unit_of_work() as (db, _settings):
        added = services.add_service(
            slug, name_ja, name_en, db=db, at=SystemClock().now(), by=staff_actor(as_who, db)
        )
    typer.echo(_line(added))


@app.command("update")
def update(
    slug: Annotated[str, typer.Argument(help="The service to rename (its slug stays).")],
    as_who: AsWho,
    name_ja: Annotated[str | None, typer.Option("--name-ja", help="The new name in Japanese.")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en", help="The new name in English.")] = None,
) -> None:
    """Rename a service in Japanese and/or English."""
    with unit_of_work() as (db, _settings):
        updated = services.update_service(
            slug, name_ja=name_ja, name_en=name_en, db=db, at=SystemClock().now(), by=staff_actor(as_who, db)
        )
    typer.echo(_line(updated))


@app.command("list")
def list_services(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per line.")] = False,
) -> None:
    """Every service, by slug: slug, Japanese name, English name (tab-separated)."""
    with unit_of_work() as (db, _settings):
        found = services.list_services(db)
    for service in found:
        if as_json:
            typer.echo(
                json.dumps(
                    {
                        "slug": service.slug,
                        "name_ja": service.name_ja,
                        "name_en": service.name_en,
                        "created_at": service.created_at.isoformat(),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(_line(service))
