"""`mamori setup` on an EMPTY database (SQLite and PostgreSQL): from a YAML file or the prompts, the
operator, the first administrator and the services land together, and a removal request to the new
service is then accepted (201). A bad file changes nothing and says file:line; a refusal inside the
transaction leaves no administrator, operator or service behind; a second run needs --update."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from typer.testing import CliRunner, Result

from mamori.cli import app
from mamori.core import auth
from mamori.core import operator as operators
from mamori.core.audit import Actor, AuditRow
from mamori.core.clock import SystemClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.migrations import upgrade
from mamori.requests import services
from tests.conftest import loud_skip
from tests.factories import request_payload

PASSWORD = "a long enough administrator password"
SETUP = """\
# the operator, as notices name them
operator:
  name_ja: 例示株式会社
  name_en: Example Inc.
  email: removal@example.jp
  postal_address: 東京都千代田区1-1-1
  phone: "03-1234-5678"
  contact_url: https://example.jp/contact
  public_url: https://removal.example.jp
administrator:
  email: admin@example.jp
  name: 管理者
  password_env: SETUP_TEST_PASSWORD
services:
  - slug: board
    name_ja: 掲示板
    name_en: Board
  - slug: video-site
    name_ja: 動画サイト
    name_en: Video site
"""


def _admin_url(base: str) -> str:
    return base.rpartition("/")[0] + "/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: str | None
) -> Iterator[str]:
    """A database with nothing in it: not even the migrations have run."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if postgres_server is None:
        loud_skip("PostgreSQL tests: no server (set MAMORI_TEST_DATABASE_URL or install postgresql)")
    assert postgres_server is not None
    name = f"mamori_setup_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_admin_url(postgres_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{postgres_server.rpartition('/')[0]}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def runner(empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("SETUP_TEST_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)  # messages then name the file as the operator typed it: setup.yaml:LINE
    return CliRunner()


def setup_from(runner: CliRunner, content: str, *args: str, stdin: str | None = None) -> Result:
    Path("setup.yaml").write_text(content, encoding="utf-8")
    return runner.invoke(app, ["setup", "--from", "setup.yaml", *args], input=stdin)


def state(url: str) -> dict[str, Any]:
    """What is in the database: its tables, and the rows setup writes."""
    engine = make_engine(url)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    found: dict[str, Any] = {"tables": tables}
    if "operator_profile" in tables:
        with transaction(make_sessionmaker(engine)) as db:
            found["operator"] = (
                operators.operator_profile(db, Settings()) if operators.operator_is_set_up(db) else None
            )
            found["users"] = [(u.email, u.roles) for u in db.scalars(select(auth.UserRow))]
            found["services"] = [(s.slug, s.name_ja, s.name_en) for s in services.list_services(db)]
            found["audit"] = int(db.scalar(select(func.count()).select_from(AuditRow)) or 0)
    engine.dispose()
    return found


def test_setup_from_a_file_on_an_empty_database_then_the_new_service_receives_a_request(
    runner: CliRunner, empty_database_url: str, tmp_path: Path
) -> None:
    done = setup_from(runner, SETUP)
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output
    assert "admin@example.jp (created" in done.stdout and "board 掲示板 / Board (added" in done.stdout
    found = state(empty_database_url)
    assert found["operator"] == operators.OperatorProfile(
        name_ja="例示株式会社",
        name_en="Example Inc.",
        email="removal@example.jp",
        public_url="https://removal.example.jp",
        postal_address="東京都千代田区1-1-1",
        phone="03-1234-5678",
        contact_url="https://example.jp/contact",
        configured=True,
    )
    assert found["users"] == [("admin@example.jp", "administrator")]
    assert found["services"] == [("board", "掲示板", "Board"), ("video-site", "動画サイト", "Video site")]
    engine = make_engine(empty_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        admin = auth.authenticate("admin@example.jp", PASSWORD, db=db, at=SystemClock().now())
        assert admin.display_name == "管理者"
    engine.dispose()

    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    settings = Settings(database_url=empty_database_url, env="test", data_dir=tmp_path / "data")
    with TestClient(create_app(settings)) as client:
        answer = client.post("/api/v1/removal-requests", json=request_payload(service="video-site"))
        assert answer.status_code == 201, answer.text
        assert answer.json()["receipt_number"]
        unknown = client.post("/api/v1/removal-requests", json=request_payload(service="test-board"))
        assert unknown.status_code == 422 and "board, video-site" in unknown.json()["message"]["en"]


def test_a_bad_file_changes_nothing_and_each_problem_names_file_and_line(
    runner: CliRunner, empty_database_url: str
) -> None:
    bad = (
        SETUP.replace("slug: video-site", "slug: Video Site")
        .replace("email: removal@example.jp", "email: removal at example.jp")
        .replace("  name_en: Example Inc.\n", "")
    )
    refused = setup_from(runner, bad)
    assert refused.exit_code == 2, refused.output
    lines = refused.stderr.splitlines()
    assert any(line.startswith("setup.yaml:17: services[1].slug: The slug 'Video Site'") for line in lines)
    assert any(line.startswith("setup.yaml:17: services[1].slug: スラッグ「Video Site」") for line in lines)
    assert any(line.startswith("setup.yaml:4: operator.email: Not an e-mail address") for line in lines)
    assert any(line.startswith("setup.yaml:2: operator.name_en: ") for line in lines)  # missing: its section
    assert state(empty_database_url)["tables"] == set()  # not even migrated


def test_a_refusal_inside_the_transaction_leaves_no_administrator_operator_or_service(
    runner: CliRunner, empty_database_url: str
) -> None:
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    with transaction(make_sessionmaker(engine)) as db:  # a service someone added before setup ran
        services.add_service("video-site", "動画", "Videos", db=db, at=SystemClock().now(), by=Actor.system())
    engine.dispose()
    before = state(empty_database_url)
    refused = setup_from(runner, SETUP)
    assert refused.exit_code == 2, refused.output
    assert "setup.yaml:18: services[1].slug: The service video-site already exists" in refused.stderr
    after = state(empty_database_url)
    assert after == before and after["operator"] is None and after["users"] == []


def test_a_password_too_short_is_refused_at_the_line_that_names_its_variable(
    runner: CliRunner, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SETUP_TEST_PASSWORD", "short")
    refused = setup_from(runner, SETUP)
    assert refused.exit_code == 2
    assert (
        "setup.yaml:13: administrator.password_env: Use a password of at least 12 characters"
        in refused.stderr
    )
    found = state(empty_database_url)
    assert (found["operator"], found["users"], found["services"], found["audit"]) == (None, [], [], 0)


def test_setup_runs_once_and_update_changes_the_operator_and_services(
    runner: CliRunner, empty_database_url: str
) -> None:
    assert setup_from(runner, SETUP).exit_code == 0
    again = setup_from(runner, SETUP)
    assert again.exit_code == 2 and "mamori setup --update" in again.stderr
    changed = (
        SETUP.replace("name_en: Video site", "name_en: Videos")
        .replace("email: removal@example.jp", "email: abuse@example.jp")
        .replace("  password_env: SETUP_TEST_PASSWORD\n", "")  # the account exists: no password asked
        + "  - slug: forum\n    name_ja: フォーラム\n    name_en: Forum\n"
    )
    updated = setup_from(runner, changed, "--update")
    assert updated.exit_code == 0, updated.output
    assert (
        "exists, unchanged" in updated.stdout and "video-site 動画サイト / Videos (renamed" in updated.stdout
    )
    found = state(empty_database_url)
    assert found["operator"].email == "abuse@example.jp"
    assert found["services"] == [
        ("board", "掲示板", "Board"),
        ("forum", "フォーラム", "Forum"),
        ("video-site", "動画サイト", "Videos"),
    ]
    assert found["users"] == [("admin@example.jp", "administrator")]


def test_the_password_can_come_from_stdin(runner: CliRunner, empty_database_url: str) -> None:
    without_env = SETUP.replace("  password_env: SETUP_TEST_PASSWORD\n", "")
    done = setup_from(runner, without_env, "--password-stdin", stdin=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    engine = make_engine(empty_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        assert auth.authenticate("admin@example.jp", PASSWORD, db=db, at=SystemClock().now())
    engine.dispose()


def test_interactive_setup_asks_again_after_a_bad_answer_and_hides_the_password(
    runner: CliRunner, empty_database_url: str
) -> None:
    answers = [
        "例示株式会社",
        "Example Inc.",
        "removal@example.jp",
        "",  # postal address (optional)
        "call us",  # refused: asked again
        "03-1234-5678",
        "",  # contact page (optional)
        "https://removal.example.jp",
        "admin@example.jp",
        "",  # display name: the default
        "short",  # refused: asked again
        PASSWORD,
        PASSWORD,
        "Board",  # refused: asked again
        "board",
        "掲示板",
        "Board",
        "",  # no more services
    ]
    done = runner.invoke(app, ["setup"], input="\n".join(answers) + "\n")
    assert done.exit_code == 0, done.output
    assert PASSWORD not in done.output
    assert "A phone number is digits" in done.output
    assert "The value you entered was invalid" in done.output  # a refused password is not echoed back
    assert "The slug 'Board' cannot be used" in done.output
    found = state(empty_database_url)
    assert found["operator"].phone == "03-1234-5678" and found["operator"].postal_address is None
    assert found["users"] == [("admin@example.jp", "administrator")]
    assert found["services"] == [("board", "掲示板", "Board")]


# ---------------------------------------------------------------- files refused before anything runs


@pytest.fixture
def file_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    monkeypatch.setenv("SETUP_TEST_PASSWORD", PASSWORD)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            SETUP.replace("  password_env: SETUP_TEST_PASSWORD", "  password: hunter2hunter2"),
            "setup.yaml:13: administrator.password: A password is never read from the file",
        ),
        (SETUP.replace("  name: 管理者", "  name: [管理者"), "setup.yaml:"),
        (SETUP + "operator:\n  name_ja: again\n", "setup.yaml:21: operator: operator is written twice"),
        (SETUP.replace('phone: "03-1234-5678"', "phone: 0312345677"), "setup.yaml:7: operator.phone: 文字列"),
        (SETUP.replace("  name_ja: 掲示板", "  name_jp: 掲示板"), "setup.yaml:16: services[0].name_jp: "),
        (SETUP.replace("slug: video-site", "slug: board"), "setup.yaml:18: services[1].slug: the same slug"),
        (
            SETUP.replace("  name_ja: 掲示板", "  name_ja: &n 掲示板").replace(
                "  name_ja: 動画サイト", "  name_ja: *n"
            ),
            "aliases (*name) are not accepted",
        ),
        ("", "setup.yaml:1: operator: "),
        (
            SETUP.replace("password_env: SETUP_TEST_PASSWORD", "password_env: NOT_SET_ANYWHERE"),
            "setup.yaml:13:",
        ),
    ],
)
def test_a_file_is_refused_before_the_database_is_touched(
    file_runner: CliRunner, tmp_path: Path, content: str, expected: str
) -> None:
    refused = setup_from(file_runner, content)
    assert refused.exit_code == 2, refused.output
    assert expected in refused.stderr
    assert not (tmp_path / "never.db").exists()
