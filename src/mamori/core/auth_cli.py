"""`mamori users`: staff accounts and API tokens from the command line.

The first administrator of a new installation is made here (the web has no sign-up). A refused
command writes nothing: the account and its audit entry land in one transaction or not at all.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import SystemClock, format_jst
from mamori.core.command import unit_of_work
from mamori.core.errors import DomainError

app = typer.Typer(help="Staff accounts (roles, passwords) and API tokens.", no_args_is_help=True)
MAX_TOKEN_DAYS = 365


def _operator() -> Actor:
    """The person at the terminal, as the audit log records them."""
    try:
        return Actor(f"cli:{getpass.getuser()}")
    except (OSError, KeyError):  # no login name in this environment (e.g. a container)
        return Actor("cli:unknown")


def _check_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise DomainError(
            code="invalid_email",
            field="email",
            ja=f"メールアドレスが正しくありません: {email}",
            en=f"Not an e-mail address: {email}",
        )
    return email


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return typer.get_text_stream("stdin").readline().rstrip("\r\n")
    return str(typer.prompt("Password / パスワード", hide_input=True, confirmation_prompt=True))


def _user(db: Session, email: str) -> auth.UserRow:
    user = db.scalar(select(auth.UserRow).where(auth.UserRow.email == email.strip().lower()))
    if user is None or not user.active:
        raise DomainError(
            code="user_unknown",
            field="email",
            status=404,
            ja=f"有効なアカウントがありません: {email}",
            en=f"No active account for {email}",
        )
    return user


@app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="The person's e-mail (their sign-in name).")],
    roles: Annotated[
        list[str],
        typer.Option("--role", help=f"A role (repeat for several): {', '.join(auth.ROLES)}."),
    ],
    name: Annotated[
        str,
        typer.Option("--name", help="Display name shown to colleagues (default: the e-mail's local part)."),
    ] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
) -> None:
    """Add a staff account; the password is asked for without echo (12 characters at least)."""
    unknown = [r for r in roles if r not in auth.ROLES]
    if unknown:  # refuse before asking for a password that would be thrown away
        typer.echo(
            f"役割が正しくありません: {', '.join(unknown)}\nUnknown role(s): {', '.join(unknown)} "
            f"(choose from: {', '.join(auth.ROLES)})",
            err=True,
        )
        raise typer.Exit(2)
    password = _read_password(password_stdin)
    with unit_of_work() as (db, _settings):
        address = _check_email(email)
        user = auth.create_user(
            address,
            name.strip() or address.partition("@")[0],
            roles,
            password,
            db=db,
            at=SystemClock().now(),
            by=_operator(),
        )
        typer.echo(f"{user.email}\t{user.display_name}\t{user.roles}")


@app.command("token")
def token(
    email: Annotated[str, typer.Argument(help="Whose token (an existing, active account).")],
    days: Annotated[
        int, typer.Option("--days", min=1, max=MAX_TOKEN_DAYS, help="Days until the token expires.")
    ] = 90,
    label: Annotated[str, typer.Option("--label", help="What the token is for (kept in the list).")] = "",
) -> None:
    """Print a new API token (shown once: only its hash is stored); its expiry goes to stderr."""
    now = SystemClock().now()
    with unit_of_work() as (db, _settings):
        user = _user(db, email)
        secret = auth.create_api_token(user, db=db, at=now, label=label, valid_for=dt.timedelta(days=days))
    typer.echo(secret)
    typer.echo(f"expires / 有効期限: {format_jst(now + dt.timedelta(days=days), 'ja')}", err=True)


@app.command("list")
def list_users() -> None:
    """Every account: e-mail, name, roles, and whether it is active or locked."""
    now = SystemClock().now()
    with unit_of_work() as (db, _settings):
        users = list(db.scalars(select(auth.UserRow).order_by(auth.UserRow.email)))
        for user in users:
            state = "inactive" if not user.active else "active"
            if user.locked_until is not None and user.locked_until > now:
                state = "locked"
            typer.echo(f"{user.email}\t{user.display_name}\t{user.roles}\t{state}")
