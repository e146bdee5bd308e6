"""The evidence kit's server capture for a person without an account, run by a worker (issue 15): the
page answers at once and follows the capture (reloading itself without JavaScript), the API gives its
status as JSON, the signed ZIP is kept sealed at rest until the person downloads or deletes it or it
expires, the token is the only key (never stored, never logged), and a full queue is refused."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence import kit, kit_captures, store
from mamori.evidence.settings import evidence_settings
from mamori.web.accesslog import redact
from mamori.worker import tick
from tests.evidence.test_kit import csrf

TOKEN_PAGE = re.compile(r"^/evidence/kit/captures/([A-Za-z0-9_-]{32})\?lang=(ja|en)$")


def _client(settings: Settings, clock: FixedClock, factory: sessionmaker[Session], **changes: Any) -> Any:
    from fastapi.testclient import TestClient

    from mamori.web.app import create_app

    return TestClient(create_app(settings.model_copy(update=changes), clock=clock, session_factory=factory))


@pytest.fixture
def offered(settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session]) -> Iterator[Any]:
    """The operator offers server captures; loopback is allowed (TESTS ONLY) for the local test site."""
    from tests.conftest import CHROMIUM

    with _client(
        settings,
        clock,
        session_factory,
        evidence_public_capture=True,
        allow_private_fetch=True,
        chromium=Path(CHROMIUM),
        evidence_capture_timeout_s=20,
    ) as client:
        yield client


def ask(client: Any, url: str, lang: str = "ja") -> Any:
    return client.post(
        f"/evidence/kit/capture?lang={lang}",
        data={"url": url, "csrf_token": csrf(client)},
        follow_redirects=False,
    )


def rows(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(store.KitCaptureRow)) or 0)


def stored_files(settings: Settings) -> list[Path]:
    folder = evidence_settings(settings).root / "kit"
    return sorted(folder.glob("*")) if folder.is_dir() else []


@pytest.mark.browser
def test_the_page_answers_at_once_and_offers_the_sealed_zip_once_a_worker_is_done(
    offered: Any, db: Session, clock: FixedClock, site: Any, session_factory: Any, tmp_path: Path
) -> None:
    from tests.conftest import CHROMIUM, loud_skip

    if not Path(CHROMIUM).exists():
        loud_skip(f"kit captures run as jobs: no Chromium at {CHROMIUM}")
    answer = ask(offered, f"{site.base}/post")
    assert answer.status_code == 303, answer.text
    found = TOKEN_PAGE.match(answer.headers["location"])
    assert found, answer.headers["location"]
    token = found.group(1)
    # the token is not stored: the row is found by its SHA-256 alone
    row = db.scalars(select(store.KitCaptureRow)).one()
    assert row.id == hashlib.sha256(token.encode()).hexdigest() and token not in row.id
    assert row.status == "queued" and stored_files(offered.app.state.settings) == []  # nothing fetched yet

    waiting = offered.get(answer.headers["location"])
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.text
    assert "順番を待っています" in waiting.text and "/download" not in waiting.text
    assert (
        waiting.headers["cache-control"] == "no-store" and waiting.headers["referrer-policy"] == "no-referrer"
    )
    assert offered.get(f"/evidence/kit/captures/{token}/download").status_code == 409  # not ready

    report = tick(session_factory, offered.app.state.settings, clock, queues=["captures"])
    assert report.results["evidence.kit_captures"] == {"done": 1}

    done = offered.get(f"/evidence/kit/captures/{token}?lang=en")
    assert done.status_code == 200 and 'http-equiv="refresh"' not in done.text
    assert "Download the sealed file (ZIP)" in done.text
    zipped = offered.get(f"/evidence/kit/captures/{token}/download")
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
    assert zipped.headers["cache-control"] == "no-store"
    assert "mamori-capture-" in zipped.headers["content-disposition"]
    saved = tmp_path / "capture.zip"
    saved.write_bytes(zipped.content)
    assert kit.verify_zip(saved) == []  # signed, every file as sealed
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as archive:
        assert any(name.endswith(".wacz") for name in archive.namelist())

    state = offered.get(f"/api/v1/evidence/kit/captures/{token}").json()
    assert state["status"] == "done" and state["attempts"] == 1
    assert state["file"]["sha256"] == hashlib.sha256(zipped.content).hexdigest()
    assert state["file"]["size"] == len(zipped.content)
    assert state["download_url"] == f"/evidence/kit/captures/{token}/download"
    # kept sealed at rest: the file on disk is not the ZIP the person downloads
    (kept,) = stored_files(offered.app.state.settings)
    assert not kept.read_bytes().startswith(b"PK") and zipped.content[:1000] not in kept.read_bytes()

    # run again (a task retried after its worker died): nothing more is written
    again = kit_captures.run(
        row.id, factory=session_factory, settings=evidence_settings(offered.app.state.settings), clock=clock
    )
    assert again == "skipped" and len(stored_files(offered.app.state.settings)) == 1

    # the person deletes it now: row and file gone, the address leads nowhere
    deleted = offered.post(
        f"/evidence/kit/captures/{token}/delete?lang=ja", data={"csrf_token": csrf(offered)}
    )
    assert deleted.status_code == 200 and 'id="capture-deleted"' in deleted.text
    assert rows(db) == 0 and stored_files(offered.app.state.settings) == []
    assert offered.get(f"/evidence/kit/captures/{token}").status_code == 404
    assert offered.get(f"/evidence/kit/captures/{token}/download").status_code == 404


def test_the_api_queues_at_once_and_says_why_a_capture_failed_in_both_languages(
    offered: Any, db: Session, clock: FixedClock, session_factory: Any
) -> None:
    # a loopback port nobody listens on: allowed by the test switch, and the page cannot be loaded
    answer = offered.post("/api/v1/evidence/kit/captures", json={"url": "http://127.0.0.1:9/gone"})
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert queued["status"] == "queued" and queued["download_url"] is None and queued["error"] is None
    assert answer.headers["location"] == queued["status_url"]
    tick(session_factory, offered.app.state.settings, clock, queues=["captures"])
    failed = offered.get(queued["status_url"]).json()
    assert failed["status"] == "failed" and failed["file"] is None
    assert failed["error"]["code"].startswith("evidence_")
    assert "127.0.0.1:9/gone" in failed["error"]["message"]["ja"]
    assert "127.0.0.1:9/gone" in failed["error"]["message"]["en"]
    page = offered.get(queued["page_url"] + "?lang=en")
    assert page.status_code == 200 and failed["error"]["message"]["en"] in page.text
    assert 'http-equiv="refresh"' not in page.text
    report = tick(session_factory, offered.app.state.settings, clock, queues=["captures"])
    assert report.results["evidence.kit_captures"] == {}  # a final failure waits for nobody


def test_a_bad_or_private_address_is_refused_beside_the_field_and_queues_nothing(
    settings: Settings, clock: FixedClock, session_factory: Any, db: Session
) -> None:
    with _client(settings, clock, session_factory, evidence_public_capture=True) as client:
        for url, words in (
            ("", "見たページのURLを入力してください"),
            ("ftp://example.jp/x", "https://"),
            ("http://127.0.0.1/admin", "127.0.0.1"),
            ("http://10.0.0.8/", "10.0.0.8"),
        ):
            answer = ask(client, url)
            assert answer.status_code == 422, (url, answer.status_code)
            assert 'id="capture_url-error"' in answer.text and words in answer.text
        api = client.post("/api/v1/evidence/kit/captures", json={"url": "http://192.168.1.1/"})
        assert api.status_code == 422 and api.json()["error"] == "evidence_address_refused"
    assert rows(db) == 0


def test_off_by_default_the_api_refuses_too(client: Any, db: Session) -> None:
    answer = client.post("/api/v1/evidence/kit/captures", json={"url": "https://example.jp/post/1"})
    assert answer.status_code == 404 and answer.json()["error"] == "evidence_public_capture_off"
    assert rows(db) == 0


def test_a_full_queue_is_refused_until_it_drains(
    settings: Settings, clock: FixedClock, session_factory: Any, db: Session
) -> None:
    with _client(
        settings,
        clock,
        session_factory,
        evidence_public_capture=True,
        allow_private_fetch=True,
        evidence_kit_capture_max_waiting=2,
        capture_rate_limit_per_minute=100,
    ) as client:
        codes = [
            client.post("/api/v1/evidence/kit/captures", json={"url": f"http://127.0.0.1:9/{n}"}).status_code
            for n in range(3)
        ]
        assert codes == [202, 202, 503]
        busy = ask(client, "http://127.0.0.1:9/again", lang="en")
        assert busy.status_code == 503 and "Try again in a few minutes" in busy.text
        assert rows(db) == 2
        tick(session_factory, client.app.state.settings, clock, queues=["captures"])  # both fail: drained
        assert (
            client.post("/api/v1/evidence/kit/captures", json={"url": "http://127.0.0.1:9/3"}).status_code
            == 202
        )


def test_a_capture_expires_and_the_retention_job_deletes_it_with_its_file(
    settings: Settings, clock: FixedClock, session_factory: Any, db: Session
) -> None:
    on = settings.model_copy(update={"evidence_public_capture": True, "allow_private_fetch": True})
    token, status = kit_captures.request("http://127.0.0.1:9/x", db=db, settings=on, clock=clock)
    kit_captures.request("http://127.0.0.1:9/y", db=db, settings=on, clock=clock)
    db.flush()
    assert status.expires_at == clock.now() + dt.timedelta(hours=settings.evidence_kit_capture_keep_hours)
    # as a worker leaves it: a done row and its sealed file (written by the vault, as `run` does)
    key = hashlib.sha256(token.encode()).hexdigest()
    ev = evidence_settings(on)
    sealed = ev.root / "kit" / f"{key}.1.zip.sealed"
    kit_captures._vault(ev).seal_bytes(b"PK fixture bytes", sealed, item_id=f"kit/{key}", name="kit.zip")
    db.execute(
        update(store.KitCaptureRow)
        .where(store.KitCaptureRow.id == key)
        .values(status="done", attempts=1, file_name="f.zip", size=16, sha256="0" * 64)
    )
    db.flush()
    _, chunks = kit_captures.download(token, db=db, settings=ev, clock=clock)
    assert b"".join(chunks) == b"PK fixture bytes"

    assert kit_captures.purge_expired(session_factory, on, clock) == 0  # not yet
    later = FixedClock(status.expires_at + dt.timedelta(seconds=1))
    with pytest.raises(Exception) as gone:
        kit_captures.status(token, db=db, clock=later)
    assert getattr(gone.value, "status", None) == 404  # expired: not found, even before the purge ran
    assert kit_captures.purge_expired(session_factory, on, later) == 2
    assert not sealed.exists() and rows(db) == 0  # both expired together


def test_a_capture_whose_worker_died_is_taken_up_when_its_lease_ends(
    settings: Settings, clock: FixedClock, session_factory: Any, db: Session, site: Any
) -> None:
    from tests.conftest import CHROMIUM, loud_skip

    if not Path(CHROMIUM).exists():
        loud_skip(f"kit captures run as jobs: no Chromium at {CHROMIUM}")
    on = settings.model_copy(
        update={"evidence_public_capture": True, "allow_private_fetch": True, "chromium": Path(CHROMIUM)}
    )
    ev = evidence_settings(on)
    token, _ = kit_captures.request(f"{site.base}/post", db=db, settings=on, clock=clock)
    key = hashlib.sha256(token.encode()).hexdigest()
    # a worker claimed it, then was killed (kill -9): the row stays `running` under its lease
    db.execute(
        update(store.KitCaptureRow)
        .where(store.KitCaptureRow.id == key)
        .values(status="running", attempts=1, lease_until=clock.now() + kit_captures.lease_for(ev))
    )
    db.flush()
    assert kit_captures.waiting(db, now=clock.now()) == []
    assert kit_captures.run(key, factory=session_factory, settings=ev, clock=clock) == "skipped"
    later = FixedClock(clock.now() + kit_captures.lease_for(ev) + dt.timedelta(seconds=1))
    assert kit_captures.waiting(db, now=later.now()) == [key]
    assert kit_captures.run(key, factory=session_factory, settings=ev, clock=later) == "done"
    state = kit_captures.status(token, db=db, clock=later)
    assert state.status == "done" and state.attempts == 2
    assert [p.name for p in stored_files(on)] == [f"{key}.2.zip.sealed"]
    _, chunks = kit_captures.download(token, db=db, settings=ev, clock=later)
    assert hashlib.sha256(b"".join(chunks)).hexdigest() == state.sha256


def test_an_unknown_or_malformed_token_finds_nothing_and_is_never_logged(offered: Any) -> None:
    for token in ("A" * 32, "not-a-token", "x" * 64):
        assert offered.get(f"/evidence/kit/captures/{token}").status_code == 404
        assert offered.get(f"/api/v1/evidence/kit/captures/{token}").status_code == 404
    line = '127.0.0.1:5 - "GET /evidence/kit/captures/Abc_def-123/download?lang=ja HTTP/1.1" 200'
    assert "Abc_def-123" not in redact(line) and "/evidence/kit/captures/[redacted]/download" in redact(line)
    api = '"GET /api/v1/evidence/kit/captures/Abc_def-123 HTTP/1.1"'
    assert "Abc_def-123" not in redact(api)
