"""Sending a deletion request to a window that runs mamori: schema first, receipt kept, status followed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.drafting import service, store
from mamori.drafting.reading import read_deletion
from tests.conftest import LiveServer
from tests.drafting.factories import deletion_data
from tests.drafting.intake_double import intake_double
from tests.evidence.factories import a_case, person


@pytest.fixture
def window() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    app, received = intake_double()
    with LiveServer(app) as server:
        yield server.url, received


@pytest.fixture
def loopback_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"allow_private_fetch": True})


def test_sends_with_evidence_hashes_and_keeps_the_receipt(
    window: tuple[str, list[dict[str, Any]]], loopback_settings: Settings, db: Session, clock: FixedClock
) -> None:
    url, received = window
    draft = read_deletion(deletion_data())
    specialist = person(db, "specialist", clock.now()).principal
    case_id = a_case(db, loopback_settings, clock.now())
    sent = service.send_deletion(
        draft,
        base_url=url,
        service="board",
        db=db,
        settings=loopback_settings,
        at=clock.now(),
        by=specialist,
        owner=("case", case_id),
    )
    assert sent.receipt_number == "R-20260401-00000001"
    assert sent.received_at.utcoffset() is not None and sent.received_at.hour == 10  # 19:00 JST in UTC
    assert sent.follow_url == f"{url}/status/R-20260401-00000001?key=secret"
    body = received[0]
    assert body["rights"] == ["名誉権", "プライバシー"]
    assert [e["sha256"] for e in body["evidence"]] == [e.sha256 for e in draft.evidence]
    (row,) = store.submissions_for(db, "case", case_id)
    assert row.id == sent.id
    assert row.follow_url.startswith("k1:") and "secret" not in row.follow_url  # the key is sealed at rest

    clock.advance(days=1)
    followed = service.refresh_status(
        sent.id, by=specialist, db=db, settings=loopback_settings, at=clock.now()
    )
    assert followed.status == "in_review" and followed.status_checked_at == clock.now()


def test_schema_refusal_is_caught_before_anything_is_posted(
    window: tuple[str, list[dict[str, Any]]], loopback_settings: Settings, db: Session, clock: FixedClock
) -> None:
    url, received = window
    draft = read_deletion(deletion_data(requester__email=""))  # the window wants both email and phone
    with pytest.raises(DomainError) as caught:
        service.send_deletion(
            draft,
            base_url=url,
            service="board",
            db=db,
            settings=loopback_settings,
            at=clock.now(),
            by="test",
        )
    assert caught.value.code == "draft_invalid"
    assert "requester.email" in {p.field for p in caught.value.problems}
    assert received == []


def test_loopback_window_is_refused_by_default(
    window: tuple[str, list[dict[str, Any]]], settings: Settings, db: Session, clock: FixedClock
) -> None:
    assert settings.allow_private_fetch is False
    url, received = window
    with pytest.raises(DomainError) as caught:
        service.send_deletion(
            read_deletion(deletion_data()),
            base_url=url,
            service="board",
            db=db,
            settings=settings,
            at=clock.now(),
            by="test",
        )
    assert "loopback" in caught.value.en
    assert received == []


@pytest.mark.parametrize("address", ["file:///etc/passwd", "http://169.254.169.254/", "http://10.0.0.1/"])
def test_other_schemes_and_private_addresses_are_refused(
    address: str, settings: Settings, clock: FixedClock
) -> None:
    with pytest.raises(DomainError):
        service.window_schema(address, settings=settings, at=clock.now())


def test_guided_steps_when_the_service_runs_no_mamori() -> None:
    steps = service.guided_steps("サンプルSNS", "https://sns.example.jp/report")
    assert any("https://sns.example.jp/report" in s.ja for s in steps)
    assert all(s.ja and s.en for s in steps)
