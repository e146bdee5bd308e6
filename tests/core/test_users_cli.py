"""`mamori users`: add an account, print an API token, list accounts; refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from mamori.cli import app
from mamori.core import auth
from mamori.core.audit import AuditRow
from mamori.core.db import make_engine, make_sessionmaker, transaction

PASSWORD = "a long enough staff password"


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    return CliRunner()


def counts(url: str) -> tuple[int, int]:
    """(accounts, audit entries) in the database."""
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        found = (
            db.scalar(select(func.count()).select_from(auth.UserRow)) or 0,
            db.scalar(select(func.count()).select_from(AuditRow)) or 0,
        )
    engine.dispose()
    return found


def add(runner: CliRunner, email: str, *roles: str, password: str = PASSWORD) -> Result:
    args = ["users", "add", email, "--name", "山田 花子", "--password-stdin"]
    for role in roles:
        args += ["--role", role]
    return runner.invoke(app, args, input=password + "\n")


def test_an_account_added_from_stdin_can_sign_in_and_is_listed(
    runner: CliRunner, fresh_database_url: str
) -> None:
    args = ["users", "add", "Hanako@Example.jp", "--role", "specialist", "--role", "reviewer"]
    added = runner.invoke(app, [*args, "--name", "山田 花子", "--password-stdin"], input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        user = auth.authenticate("hanako@example.jp", PASSWORD, db=db, at=dt.datetime.now(dt.UTC))
        assert user.role_set == {"specialist", "reviewer"}
    engine.dispose()
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == ["hanako@example.jp\t山田 花子\tspecialist,reviewer\tactive"]


def test_the_password_prompt_hides_the_input_asks_twice_and_the_name_defaults(
    runner: CliRunner, fresh_database_url: str
) -> None:
    typed = runner.invoke(
        app,
        ["users", "add", "admin@example.jp", "--role", "administrator"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert typed.exit_code == 0, typed.output
    assert PASSWORD not in typed.output
    assert counts(fresh_database_url)[0] == 1
    assert "admin@example.jp\tadmin\tadministrator" in runner.invoke(app, ["users", "list"]).stdout


@pytest.mark.parametrize(
    ("roles", "password", "message"),
    [
        (("specialist", "wizard"), PASSWORD, "Unknown role(s): wizard"),
        ((), PASSWORD, "--role"),
        (("specialist",), "short", "at least 12 characters"),
        (("specialist",), "", "at least 12 characters"),
    ],
)
def test_a_refused_account_exits_2_and_writes_nothing(
    runner: CliRunner, fresh_database_url: str, roles: tuple[str, ...], password: str, message: str
) -> None:
    refused = add(runner, "x@example.jp", *roles, password=password)
    assert refused.exit_code == 2
    assert message in refused.stderr
    assert counts(fresh_database_url) == (0, 0)


def test_an_existing_account_is_refused_and_left_as_it_was(
    runner: CliRunner, fresh_database_url: str
) -> None:
    assert add(runner, "s@example.jp", "specialist").exit_code == 0
    before = counts(fresh_database_url)
    again = add(runner, "S@example.jp", "administrator", password="another long password")
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "既にあります" in again.stderr
    assert counts(fresh_database_url) == before
    assert "specialist\tactive" in runner.invoke(app, ["users", "list"]).stdout


def test_a_malformed_e_mail_is_refused(runner: CliRunner, fresh_database_url: str) -> None:
    refused = add(runner, "not an address", "specialist")
    assert refused.exit_code == 2 and "Not an e-mail address" in refused.stderr
    assert counts(fresh_database_url) == (0, 0)


def test_a_token_is_printed_once_and_works_until_it_expires(
    runner: CliRunner, fresh_database_url: str
) -> None:
    assert add(runner, "api@example.jp", "specialist").exit_code == 0
    issued = runner.invoke(app, ["users", "token", "api@example.jp", "--days", "3"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert token.startswith("mmr_") and "\n" not in token
    assert "expires" in issued.stderr
    engine = make_engine(fresh_database_url)
    now = dt.datetime.now(dt.UTC)
    with transaction(make_sessionmaker(engine)) as db:
        principal = auth.principal_from_token(token, db=db, at=now)
        assert principal is not None and principal.email == "api@example.jp"
        assert auth.principal_from_token(token, db=db, at=now + dt.timedelta(days=3, minutes=1)) is None
    engine.dispose()


def test_a_token_for_no_account_or_too_long_is_refused(runner: CliRunner, fresh_database_url: str) -> None:
    missing = runner.invoke(app, ["users", "token", "nobody@example.jp"])
    assert missing.exit_code == 2 and "No active account" in missing.stderr
    assert add(runner, "api@example.jp", "specialist").exit_code == 0
    assert runner.invoke(app, ["users", "token", "api@example.jp", "--days", "0"]).exit_code == 2
    assert runner.invoke(app, ["users", "token", "api@example.jp", "--days", "366"]).exit_code == 2


def test_a_name_with_a_hidden_direction_override_is_refused(
    runner: CliRunner, fresh_database_url: str
) -> None:
    args = [
        "users",
        "add",
        "r@example.jp",
        "--role",
        "specialist",
        "--name",
        "山田\u202e花子",
        "--password-stdin",
    ]
    refused = runner.invoke(app, args, input=PASSWORD + "\n")
    assert refused.exit_code == 2 and "U+202E" in refused.stderr
    assert counts(fresh_database_url) == (0, 0)
