"""`mamori channels add-body | add-member | issue-key | rotate-key | revoke-key | keys | bodies`."""

from __future__ import annotations

from typing import Annotated

import typer

from mamori.channels import model, service
from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import staff_actor, unit_of_work

app = typer.Typer(help="Trusted-notifier bodies and their credentials.", no_args_is_help=True)
AsWho = Annotated[str, typer.Option("--as", help="The administrator's account that acts (its e-mail).")]
Days = Annotated[
    int | None, typer.Option(help="Days the key is valid (default MAMORI_CHANNELS_KEY_VALID_DAYS).")
]


@app.command("add-body")
def add_body(
    slug: str,
    name: Annotated[str, typer.Option(help="The body's name (shown in the queue and the report).")],
    contact_email: Annotated[str, typer.Option(help="Where the Art. 25 notices to the body go.")],
    as_who: AsWho,
    kind: Annotated[str, typer.Option(help="legal_affairs_bureau, hotline or other.")] = "other",
    address: str = "",
    phone: str = "",
) -> None:
    """Register a trusted body (a 法務局 office, a hotline)."""
    with unit_of_work() as (db, _settings):
        body = service.add_body(
            service.NewBody(slug, name, kind, contact_email, address, phone),
            db=db,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
        typer.echo(f"{body.slug}: {body.name} ({body.kind})")


@app.command("add-member")
def add_member(
    slug: str,
    email: str,
    display_name: Annotated[str, typer.Option("--name")],
    as_who: AsWho,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """A web sign-in (role trusted_notifier) for one of the body's staff."""
    with unit_of_work() as (db, _settings):
        user = service.add_member(
            slug, email, display_name, password, db=db, at=SystemClock().now(), by=staff_actor(as_who, db)
        )
        typer.echo(f"{user.email} signs in for {slug}")


@app.command("issue-key")
def issue_key(
    slug: str,
    as_who: AsWho,
    scopes: Annotated[str, typer.Option(help="Comma-separated: requests:submit,requests:read.")] = (
        "requests:submit,requests:read"
    ),
    days: Days = None,
    label: str = "",
) -> None:
    """A new API key: printed once, only its hash is kept."""
    try:
        parsed = model.parse_scopes(scopes)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with unit_of_work() as (db, settings):
        token, row = service.issue_key(
            slug,
            scopes=parsed,
            valid_days=days or settings.channels_key_valid_days,
            label=label,
            db=db,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
        typer.echo(f"key {row.key_id} (expires {format_jst(row.expires_at)}):\n{token}")


@app.command("rotate-key")
def rotate_key(slug: str, key_id: str, as_who: AsWho, days: Days = None) -> None:
    """Replace a key: the new one is printed once, the old one is refused from now on."""
    with unit_of_work() as (db, settings):
        token, row = service.rotate_key(
            slug,
            key_id,
            valid_days=days or settings.channels_key_valid_days,
            db=db,
            at=SystemClock().now(),
            by=staff_actor(as_who, db),
        )
        typer.echo(f"key {row.key_id} replaces {key_id}:\n{token}")


@app.command("revoke-key")
def revoke_key(slug: str, key_id: str, as_who: AsWho) -> None:
    """Refuse a key from the next request on."""
    with unit_of_work() as (db, _settings):
        service.revoke_key(slug, key_id, db=db, at=SystemClock().now(), by=staff_actor(as_who, db))
        typer.echo(f"key {key_id} revoked")


@app.command("keys")
def list_keys(slug: str) -> None:
    """The body's keys: id, scopes, expiry, revoked."""
    with unit_of_work() as (db, _settings):
        for row in service.keys(slug, db=db):
            state = f"revoked {format_jst(row.revoked_at)}" if row.revoked_at else "active"
            typer.echo(f"{row.key_id}  {row.scopes}  expires {format_jst(row.expires_at)}  {state}")


@app.command("bodies")
def bodies() -> None:
    """The registered trusted bodies."""
    with unit_of_work() as (db, _settings):
        for body in service.list_bodies(db):
            typer.echo(f"{body.slug}  {body.kind}  {body.name}  {body.contact_email}")
