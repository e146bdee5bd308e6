"""The services the window receives requests for: added, renamed and listed by an administrator (the
service, and `mamori services` acting --as the account); every refusal names the field in ja and en and,
from the command line, exits 2 having written nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from mamori.cli import app
from mamori.core import auth
from mamori.core.audit import Actor, AuditRow, entries_for
from mamori.core.clock import JST
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.core.errors import DomainError
from mamori.requests import services
from mamori.requests.store import ServiceRow

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)
ADMIN = Actor("user:admin", frozenset({"administrator"}))
PASSWORD = "a long enough staff password"


def test_an_added_service_is_listed_by_slug_and_audited(db: Session) -> None:
    services.add_service("video-site", "動画サイト", "Video site", db=db, at=AT, by=ADMIN)
    added = services.add_service("board", " 掲示板 ", "Board", db=db, at=AT, by=ADMIN)
    assert added == services.Service("board", "掲示板", "Board", AT)
    assert [s.slug for s in services.list_services(db)] == ["board", "video-site"]
    row = db.scalar(select(ServiceRow).where(ServiceRow.slug == "board"))
    assert row is not None
    (entry,) = entries_for(db, "service", row.id)
    assert (entry.action, entry.actor) == ("service.add", "user:admin")
    assert json.loads(entry.detail) == {"slug": "board", "name_ja": "掲示板", "name_en": "Board"}


def test_a_rename_keeps_the_slug_and_records_both_names(db: Session) -> None:
    services.add_service("board", "掲示板", "Board", db=db, at=AT, by=ADMIN)
    renamed = services.update_service("board", name_en="Message board", db=db, at=AT, by=ADMIN)
    assert (renamed.slug, renamed.name_ja, renamed.name_en) == ("board", "掲示板", "Message board")
    row = db.scalar(select(ServiceRow).where(ServiceRow.slug == "board"))
    assert row is not None
    entry = entries_for(db, "service", row.id)[-1]
    assert entry.action == "service.update"
    assert json.loads(entry.detail)["changed"] == {"name_en": {"from": "Board", "to": "Message board"}}


@pytest.mark.parametrize(
    ("slug", "name_ja", "name_en", "field", "code"),
    [
        ("Board", "掲示板", "Board", "slug", "invalid_slug"),
        ("b", "掲示板", "Board", "slug", "invalid_slug"),
        ("-board", "掲示板", "Board", "slug", "invalid_slug"),
        ("board_1", "掲示板", "Board", "slug", "invalid_slug"),
        ("a" * 60, "掲示板", "Board", "slug", "invalid_slug"),
        ("board\n", "掲示板", "Board", "slug", "line_break"),
        ("board", "", "Board", "name_ja", "required"),
        ("board", "掲示板\n2", "Board", "name_ja", "line_break"),
        ("board", "掲示板", "Bo\u2066ard", "name_en", "bidi_control"),
        ("board", "掲" * 201, "Board", "name_ja", "too_long"),
    ],
)
def test_a_bad_slug_or_name_is_refused_naming_the_field(
    db: Session, slug: str, name_ja: str, name_en: str, field: str, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        services.add_service(slug, name_ja, name_en, db=db, at=AT, by=ADMIN)
    assert (refused.value.field, refused.value.code, refused.value.status) == (field, code, 422)
    assert refused.value.ja != refused.value.en
    assert services.list_services(db) == []


def test_the_longest_slug_allowed_is_59_characters(db: Session) -> None:
    assert services.add_service("a" * 59, "長い", "Long", db=db, at=AT, by=ADMIN).slug == "a" * 59


@pytest.mark.parametrize(
    ("slug", "name_ja", "name_en", "field", "code"),
    [
        ("board", "別の掲示板", "Another board", "slug", "service_exists"),
        ("forum", "掲示板", "Forum", "name_ja", "service_name_taken"),
        ("forum", "フォーラム", "BOARD", "name_en", "service_name_taken"),
    ],
)
def test_a_slug_or_name_already_used_is_refused(
    db: Session, slug: str, name_ja: str, name_en: str, field: str, code: str
) -> None:
    services.add_service("board", "掲示板", "Board", db=db, at=AT, by=ADMIN)
    with pytest.raises(DomainError) as refused:
        services.add_service(slug, name_ja, name_en, db=db, at=AT, by=ADMIN)
    assert (refused.value.field, refused.value.code, refused.value.status) == (field, code, 409)
    assert len(services.list_services(db)) == 1


def test_a_rename_is_refused_for_an_unknown_service_a_taken_name_or_nothing_to_change(db: Session) -> None:
    services.add_service("board", "掲示板", "Board", db=db, at=AT, by=ADMIN)
    services.add_service("forum", "フォーラム", "Forum", db=db, at=AT, by=ADMIN)
    with pytest.raises(DomainError) as unknown:
        services.update_service("nowhere", name_ja="どこにも", db=db, at=AT, by=ADMIN)
    assert (unknown.value.status, unknown.value.field) == (404, "slug")
    with pytest.raises(DomainError) as taken:
        services.update_service("forum", name_en="board", db=db, at=AT, by=ADMIN)
    assert (taken.value.status, taken.value.field) == (409, "name_en")
    with pytest.raises(DomainError) as nothing:
        services.update_service("forum", db=db, at=AT, by=ADMIN)
    assert nothing.value.code == "nothing_to_change"
    assert services.update_service("forum", name_ja="フォーラム", db=db, at=AT, by=ADMIN).name_en == "Forum"


@pytest.mark.parametrize("roles", [{"specialist"}, {"reviewer"}, {"auditor"}, {"supervisor"}])
def test_only_an_administrator_adds_or_renames_services(db: Session, roles: set[str]) -> None:
    services.add_service("board", "掲示板", "Board", db=db, at=AT, by=ADMIN)
    someone = Actor("user:someone", frozenset(roles))
    with pytest.raises(DomainError) as refused:
        services.add_service("forum", "フォーラム", "Forum", db=db, at=AT, by=someone)
    assert refused.value.status == 403
    with pytest.raises(DomainError) as refused:
        services.update_service("board", name_ja="板", db=db, at=AT, by=someone)
    assert refused.value.status == 403
    assert [(s.slug, s.name_ja) for s in services.list_services(db)] == [("board", "掲示板")]


# ---------------------------------------------------------------- `mamori services`


@pytest.fixture
def runner(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    engine = make_engine(fresh_database_url)
    with transaction(make_sessionmaker(engine)) as db:
        for email, roles in (("admin@example.jp", ["administrator"]), ("spec@example.jp", ["specialist"])):
            auth.create_user(email, email, roles, PASSWORD, db=db, at=AT, by=Actor.system())
    engine.dispose()
    return CliRunner()


def audit_count(url: str) -> int:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        found = int(db.scalar(select(func.count()).select_from(AuditRow)) or 0)
    engine.dispose()
    return found


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["services", *args])


def test_the_command_adds_lists_and_renames_services(runner: CliRunner) -> None:
    added = run(
        runner, "add", "board", "--name-ja", "掲示板", "--name-en", "Board", "--as", "admin@example.jp"
    )
    assert added.exit_code == 0, added.output
    assert added.stdout == "board\t掲示板\tBoard\n"
    run(runner, "add", "video", "--name-ja", "動画", "--name-en", "Videos", "--as", "Admin@Example.jp")
    renamed = run(runner, "update", "board", "--name-en", "Message board", "--as", "admin@example.jp")
    assert renamed.exit_code == 0, renamed.output
    listed = run(runner, "list")
    assert listed.stdout.splitlines() == ["board\t掲示板\tMessage board", "video\t動画\tVideos"]
    as_json = [json.loads(line) for line in run(runner, "list", "--json").stdout.splitlines()]
    assert [(s["slug"], s["name_ja"], s["name_en"]) for s in as_json] == [
        ("board", "掲示板", "Message board"),
        ("video", "動画", "Videos"),
    ]
    assert dt.datetime.fromisoformat(as_json[0]["created_at"]).utcoffset() is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "Board", "--name-ja", "板", "--name-en", "B", "--as", "admin@example.jp"], "slug 'Board'"),
        (
            ["add", "board", "--name-ja", "掲示板", "--name-en", "Board", "--as", "admin@example.jp"],
            "already exists",
        ),
        (
            ["add", "forum", "--name-ja", "掲示板", "--name-en", "Forum", "--as", "admin@example.jp"],
            "already used",
        ),
        (
            ["add", "forum", "--name-ja", "フォーラム", "--name-en", "Forum", "--as", "spec@example.jp"],
            "administrator",
        ),
        (
            ["add", "forum", "--name-ja", "フォーラム", "--name-en", "Forum", "--as", "nobody@example.jp"],
            "No active",
        ),
        (["update", "nowhere", "--name-ja", "どこ", "--as", "admin@example.jp"], "no service nowhere"),
        (["update", "board", "--as", "admin@example.jp"], "Give a new name"),
        (["update", "board", "--name-ja", "板", "--as", "spec@example.jp"], "administrator"),
    ],
)
def test_a_refused_command_exits_2_says_why_in_both_languages_and_writes_nothing(
    runner: CliRunner, fresh_database_url: str, args: list[str], message: str
) -> None:
    run(runner, "add", "board", "--name-ja", "掲示板", "--name-en", "Board", "--as", "admin@example.jp")
    before = audit_count(fresh_database_url)
    refused = run(runner, *args)
    assert refused.exit_code == 2, refused.output
    assert message in refused.stderr
    assert any(
        "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in refused.stderr
    )  # Japanese too
    assert run(runner, "list").stdout == "board\t掲示板\tBoard\n"
    assert audit_count(fresh_database_url) == before
