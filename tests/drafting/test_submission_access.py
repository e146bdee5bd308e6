"""A sending (its receipt and the follow URL with the requester's key) is seen and followed only by its
sender and by those who may read the evidence of the case or consultation it was sent for: through the
API, the pages that pre-fill a draft, and the command line (which follows only its own sendings)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.drafting import service
from mamori.drafting.cli import app as drafting_cli
from mamori.drafting.reading import read_deletion
from mamori.drafting.store import SubmissionRow
from tests.conftest import LiveServer
from tests.drafting.factories import deletion_data
from tests.drafting.intake_double import intake_double
from tests.evidence.factories import World, person, world

NOT_SHARED = ["stranger", "specialist", "reviewer", "legal_officer", "auditor", "administrator"]


@pytest.fixture
def window() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    app, received = intake_double()
    with LiveServer(app) as server:
        yield server.url, received


@pytest.fixture
def loopback(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_fetch": True})


@pytest.fixture
def sending_client(
    loopback: Settings, clock: FixedClock, session_factory: sessionmaker[Session]
) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    with TestClient(create_app(loopback, clock=clock, session_factory=session_factory)) as client:
        yield client


@pytest.fixture
def w(db: Session, settings: Settings, clock: FixedClock) -> World:
    return world(db, settings, clock.now())


def send(client: Any, url: str, headers: dict[str, str], **owner: str) -> Any:
    body = {"base_url": url, "service": "board", "draft": deletion_data(), **owner}
    return client.post("/api/v1/drafting/submissions", json=body, headers=headers)


def rows(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(SubmissionRow)) or 0


def test_a_sending_for_a_consultation_is_seen_by_those_it_is_shared_with_and_no_one_else(
    sending_client: Any, window: tuple[str, list[dict[str, Any]]], w: World
) -> None:
    url, _received = window
    owner = {"owner_type": "consultation", "owner_id": w.consultation_id}
    sent = send(sending_client, url, w.author.headers, **owner)
    assert sent.status_code == 201, sent.text
    ident = sent.json()["id"]
    for who in ("author", "colleague", "supervisor"):
        seen = sending_client.get(f"/api/v1/drafting/submissions/{ident}", headers=w.who(who).headers)
        assert seen.status_code == 200 and seen.json()["follow_url"].endswith("?key=secret"), who
    for who in NOT_SHARED:
        hidden = sending_client.get(f"/api/v1/drafting/submissions/{ident}", headers=w.who(who).headers)
        assert hidden.status_code == 404 and "secret" not in hidden.text, who
    followed = sending_client.post(
        f"/api/v1/drafting/submissions/{ident}/refresh", headers=w.colleague.headers
    )
    assert followed.status_code == 200 and followed.json()["status"] == "in_review"
    refused = sending_client.post(f"/api/v1/drafting/submissions/{ident}/refresh", headers=w.stranger.headers)
    assert refused.status_code == 404


def test_a_sending_for_nobody_in_particular_is_its_senders_alone(
    sending_client: Any, window: tuple[str, list[dict[str, Any]]], w: World, db: Session
) -> None:
    url, _received = window
    ident = send(sending_client, url, w.author.headers).json()["id"]
    assert (
        sending_client.get(f"/api/v1/drafting/submissions/{ident}", headers=w.author.headers).status_code
        == 200
    )
    for who in ("colleague", "supervisor", *NOT_SHARED):
        assert (
            sending_client.get(
                f"/api/v1/drafting/submissions/{ident}", headers=w.who(who).headers
            ).status_code
            == 404
        )
    before = db.get_one(SubmissionRow, ident).status_checked_at
    assert (
        sending_client.post(
            f"/api/v1/drafting/submissions/{ident}/refresh", headers=w.colleague.headers
        ).status_code
        == 404
    )
    db.expire_all()
    assert db.get_one(SubmissionRow, ident).status_checked_at == before


def test_a_sending_for_a_case_is_the_platform_staffs(
    sending_client: Any, window: tuple[str, list[dict[str, Any]]], w: World
) -> None:
    url, _received = window
    sent = send(sending_client, url, w.roles["specialist"].headers, owner_type="case", owner_id=w.case_id)
    ident = sent.json()["id"]
    for who, status in (("reviewer", 200), ("auditor", 200), ("counsellor", 404), ("author", 404)):
        seen = sending_client.get(f"/api/v1/drafting/submissions/{ident}", headers=w.who(who).headers)
        assert seen.status_code == status, who


def test_a_sending_may_not_be_attached_to_someone_elses_consultation_nor_to_no_owner_at_all(
    sending_client: Any, window: tuple[str, list[dict[str, Any]]], w: World, db: Session
) -> None:
    url, received = window
    theirs = send(
        sending_client, url, w.stranger.headers, owner_type="consultation", owner_id=w.consultation_id
    )
    assert theirs.status_code == 404
    for owner, field in (
        ({"owner_type": "consultation", "owner_id": ".."}, "owner_id"),
        ({"owner_type": "consultation"}, "owner_id"),
        ({"owner_type": "tweet", "owner_id": w.consultation_id}, "owner_type"),
    ):
        answer = send(sending_client, url, w.author.headers, **owner)
        assert answer.status_code == 422, answer.text
        (problem,) = answer.json()["detail"]
        assert problem["field"] == field and problem["message"]["ja"] and problem["message"]["en"]
    assert received == [] and rows(db) == 0


def test_the_follow_url_is_sealed_at_rest(
    window: tuple[str, list[dict[str, Any]]], loopback: Settings, db: Session, clock: FixedClock
) -> None:
    url, _ = window
    sender = person(db, "counsellor", clock.now()).principal
    draft = read_deletion(deletion_data())
    sent = service.send_deletion(
        draft, base_url=url, service="board", db=db, settings=loopback, at=clock.now(), by=sender
    )
    row = db.get_one(SubmissionRow, sent.id)
    assert row.follow_url.startswith("k1:") and "key=secret" not in row.follow_url
    assert service.get_submission(sent.id, by=sender, db=db, settings=loopback).follow_url.endswith(
        "key=secret"
    )


def test_drafting_from_a_consultation_is_for_those_it_is_shared_with(client: Any, w: World) -> None:
    w.stranger.signed_in(client)
    refused = client.get(
        f"/drafting/deletion?consultation={w.consultation_id}", headers={"accept": "text/html"}
    )
    assert refused.status_code == 404 and "毎日書かれる" not in refused.text
    w.colleague.signed_in(client)
    assert client.get(f"/drafting/deletion?consultation={w.consultation_id}").status_code == 200


def test_the_command_line_follows_its_own_sendings_only(
    window: tuple[str, list[dict[str, Any]]],
    fresh_database_url: str,
    settings: Settings,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, received = window
    monkeypatch.setenv("MAMORI_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("MAMORI_ALLOW_PRIVATE_FETCH", "true")
    monkeypatch.setenv("MAMORI_DATA_DIR", str(tmp_path / "data"))
    loopback = settings.model_copy(update={"allow_private_fetch": True, "database_url": fresh_database_url})
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as db:
        staff = person(db, "counsellor", clock.now()).principal
        theirs = service.send_deletion(
            read_deletion(deletion_data()),
            base_url=url,
            service="board",
            db=db,
            settings=loopback,
            at=clock.now(),
            by=staff,
        ).id
    runner = CliRunner()
    refused = runner.invoke(drafting_cli, ["follow", theirs])
    assert refused.exit_code == 2 and "not found" in refused.output and "見つかりません" in refused.output
    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(deletion_data(), ensure_ascii=False), encoding="utf-8")
    sent = runner.invoke(drafting_cli, ["send", "--in", str(draft), "--to", url, "--service", "board"])
    assert sent.exit_code == 0, sent.output
    mine = sent.output.rsplit("record: ", 1)[1].strip()
    followed = runner.invoke(drafting_cli, ["follow", mine])
    assert followed.exit_code == 0 and "in_review" in followed.output, followed.output
    assert len(received) == 2
    with transaction(make_sessionmaker(make_engine(fresh_database_url))) as db:
        assert db.get_one(SubmissionRow, theirs).status is None  # the refused follow asked nothing
