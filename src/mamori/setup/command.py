"""`mamori setup` itself: migrations, then the administrator, the operator and the services in ONE
transaction, acting as the administrator; a refusal is named by its place and nothing is kept."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from dataclasses import dataclass, field
from pathlib import Path

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core import auth
from mamori.core import operator as operators
from mamori.core.audit import Actor
from mamori.core.clock import SystemClock
from mamori.core.command import unit_of_work
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.migrations import upgrade
from mamori.requests import services
from mamori.setup.plan import Lines, Loc, Problem, SetupPlan, SetupRefused, read_plan
from mamori.setup.prompts import ask_password, plan_from_prompts


def _terminal_user() -> Actor:
    """The person at the terminal, as the audit log records them."""
    try:
        return Actor(f"cli:{getpass.getuser()}")
    except (OSError, KeyError):  # no login name in this environment (e.g. a container)
        return Actor("cli:unknown")


@dataclass
class _Peek:
    set_up: bool
    account_exists: bool
    current: operators.OperatorProfile


def _peek(settings: Settings, email: str | None) -> _Peek:
    with unit_of_work(settings) as (db, _settings):
        account = (
            db.scalar(select(auth.UserRow).where(auth.UserRow.email == email.lower())) if email else None
        )
        return _Peek(
            operators.operator_is_set_up(db), account is not None, operators.operator_profile(db, settings)
        )


def _at(loc: Loc, lines: Lines, exc: DomainError) -> DomainError:
    """The same refusal, named by where it is in the file (or the answers)."""
    place = lines.describe(loc)
    return DomainError(
        code=exc.code, ja=f"{place}: {exc.ja}", en=f"{place}: {exc.en}", field=exc.field, status=exc.status
    )


@dataclass
class Outcome:
    lines: list[str] = field(default_factory=list)


def _administrator(
    plan: SetupPlan, password: str | None, lines: Lines, *, db: Session, at: dt.datetime, out: Outcome
) -> Actor:
    part = plan.administrator
    existing = db.scalar(select(auth.UserRow).where(auth.UserRow.email == part.email))
    if existing is None:
        if password is None:
            raise _at(
                ("administrator",),
                lines,
                DomainError(
                    code="password_required",
                    field="password",
                    ja="管理者のパスワードがありません (--password-stdin か password_env)。",
                    en="No password for the administrator (--password-stdin or password_env).",
                ),
            )
        loc: Loc = ("administrator", "password_env") if part.password_env else ("administrator", "email")
        try:
            existing = auth.create_user(
                part.email,
                part.name or part.email.partition("@")[0],
                ["administrator"],
                password,
                db=db,
                at=at,
                by=_terminal_user(),
            )
        except DomainError as exc:
            raise _at(loc, lines, exc) from None
        out.lines.append(f"administrator / 管理者: {existing.email} (created / 作成)")
    else:
        out.lines.append(f"administrator / 管理者: {existing.email} (exists, unchanged / 既存、変更なし)")
    actor = existing.actor()
    if not existing.active or not actor.may("platform.manage"):
        raise _at(
            ("administrator", "email"),
            lines,
            DomainError(
                code="not_an_administrator",
                field="email",
                status=403,
                ja=f"{existing.email} は有効な管理者アカウントではありません。",
                en=f"{existing.email} is not an active administrator's account.",
            ),
        )
    return actor


def apply_plan(
    plan: SetupPlan, lines: Lines, *, password: str | None, update: bool, db: Session, at: dt.datetime
) -> Outcome:
    """Write the plan in the caller's transaction: the administrator (made when missing), then, acting
    as them, the operator and the services. A refusal is raised naming its place; nothing is kept."""
    out = Outcome()
    if operators.operator_is_set_up(db) and not update:
        raise _already_set_up()
    actor = _administrator(plan, password, lines, db=db, at=at, out=out)
    try:
        profile = operators.set_operator(**plan.operator.model_dump(), db=db, at=at, by=actor)
    except DomainError as exc:
        raise _at(("operator", exc.field) if exc.field else ("operator",), lines, exc) from None
    out.lines.append(
        f"operator / 運営者: {profile.name_ja} / {profile.name_en} <{profile.email}> {profile.public_url}"
    )
    for index, part in enumerate(plan.services):
        try:
            existing = services.find_service(db, part.slug)
            if existing is not None and update:
                if (existing.name_ja, existing.name_en) == (part.name_ja, part.name_en):
                    out.lines.append(f"service / サービス: {part.slug} (unchanged / 変更なし)")
                    continue
                services.update_service(
                    part.slug, name_ja=part.name_ja, name_en=part.name_en, db=db, at=at, by=actor
                )
                out.lines.append(
                    f"service / サービス: {part.slug} {part.name_ja} / {part.name_en} (renamed / 名称変更)"
                )
            else:
                services.add_service(part.slug, part.name_ja, part.name_en, db=db, at=at, by=actor)
                out.lines.append(
                    f"service / サービス: {part.slug} {part.name_ja} / {part.name_en} (added / 追加)"
                )
        except DomainError as exc:
            raise _at(
                ("services", index, exc.field) if exc.field else ("services", index), lines, exc
            ) from None
    return out


def _already_set_up() -> DomainError:
    return DomainError(
        code="already_set_up",
        status=409,
        ja="運営者は既に設定されています。変更するには mamori setup --update を使ってください。",
        en="The operator is already set up; to change it, run mamori setup --update.",
    )


def _refuse(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(2)


def _password(plan: SetupPlan, lines: Lines, password_stdin: bool) -> str | None:
    """The password from stdin, or from the environment variable the file names, or None (then asked)."""
    if password_stdin:
        return typer.get_text_stream("stdin").readline().rstrip("\r\n")
    name = plan.administrator.password_env
    if name is None:
        return None
    value = os.environ.get(name)
    if not value:
        raise SetupRefused(
            [
                Problem(
                    ("administrator", "password_env"),
                    f"環境変数 {name} が設定されていないか空です。",
                    f"The environment variable {name} is not set or is empty.",
                )
            ],
            lines,
        )
    return value


def run_setup(
    from_file: Path | None, *, update: bool, password_stdin: bool, settings: Settings | None = None
) -> list[str]:
    """`mamori setup`: returns what was done, line by line. A refusal says why on stderr and raises
    `typer.Exit(2)`; nothing is written (a file is checked whole before even the migrations run)."""
    settings = settings or Settings()
    plan: SetupPlan | None = None
    lines = Lines()
    password: str | None = None
    if from_file is not None:
        try:
            plan, lines = read_plan(from_file)
            password = _password(plan, lines, password_stdin)
        except SetupRefused as refused:
            raise _refuse(refused.message()) from None
    elif password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\r\n")
    upgrade(settings.database_url)
    peek = _peek(settings, plan.administrator.email if plan is not None else None)
    if peek.set_up and not update:
        already = _already_set_up()
        raise _refuse(f"{already.ja}\n{already.en}")
    if plan is None:
        try:
            plan, asked = plan_from_prompts(
                peek.current, lambda email: password_stdin or _peek(settings, email).account_exists
            )
        except SetupRefused as refused:
            raise _refuse(refused.message()) from None
        password = password or asked
    elif password is None and not peek.account_exists:
        password = ask_password()
    with unit_of_work(settings) as (db, _settings):
        outcome = apply_plan(plan, lines, password=password, update=update, db=db, at=SystemClock().now())
    return outcome.lines
