"""Removal criteria (Art. 26): published before they are applied, never edited after, history kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import JST
from mamori.core.errors import Conflict, DomainError
from mamori.criteria import service
from tests.factories import SYSTEM, clause, make_criteria


def test_a_published_version_cannot_be_published_again_or_overwritten(db: Session) -> None:
    make_criteria(db, version="2026.1")
    with pytest.raises(Conflict, match="already published"):
        service.publish("2026.1", db=db, at=dt.datetime(2026, 2, 1, tzinfo=JST), by=SYSTEM)
    with pytest.raises(Conflict):
        service.create_draft(
            "2026.1",
            dt.datetime(2026, 2, 1, tzinfo=JST),
            [clause()],
            db=db,
            at=dt.datetime(2026, 2, 1, tzinfo=JST),
            by=SYSTEM,
        )


def test_the_version_in_force_is_the_latest_published_and_effective_one(db: Session) -> None:
    make_criteria(db, version="2025.1", published=dt.datetime(2025, 4, 1, tzinfo=JST))
    make_criteria(
        db,
        version="2026.1",
        published=dt.datetime(2026, 3, 1, tzinfo=JST),
        effective=dt.datetime(2026, 4, 1, tzinfo=JST),
    )
    before = service.in_force(db=db, at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=JST))
    after = service.in_force(db=db, at=dt.datetime(2026, 4, 1, 0, 0, tzinfo=JST))
    assert before is not None and before.version == "2025.1"
    assert after is not None and after.version == "2026.1"


def test_the_history_shows_what_changed_between_versions(db: Session) -> None:
    make_criteria(db, version="2025.1", clauses=[clause("1.1")])
    make_criteria(
        db,
        version="2026.1",
        published=dt.datetime(2026, 3, 1, tzinfo=JST),
        clauses=[clause("1.1"), clause("4.1", title_ja="繰り返しの嫌がらせ", title_en="Repeated harassment")],
    )
    lines = service.diff("2025.1", "2026.1", db=db)
    assert any(line.startswith("+4.1 繰り返しの嫌がらせ") for line in lines)
    assert not any(line.startswith("-1.1") for line in lines)


def test_a_draft_with_duplicate_clause_codes_is_refused(db: Session) -> None:
    with pytest.raises(DomainError, match="unique"):
        service.create_draft(
            "x",
            dt.datetime(2026, 1, 1, tzinfo=JST),
            [clause("1.1"), clause("1.1")],
            db=db,
            at=dt.datetime(2026, 1, 1, tzinfo=JST),
            by=SYSTEM,
        )


def test_the_api_refuses_invisible_characters_and_oversized_criteria(client: Any, db: Session) -> None:
    from tests.factories import make_staff

    _user, token = make_staff(db, ["legal_officer"], "legal@criteria.example.com")
    clause = {
        "code": "1.1",
        "title_ja": "題",
        "title_en": "Title",
        "text_ja": "本文",
        "text_en": "A NUL \u0000 hides here",
        "applies_to": ["request"],
        "measures": ["remove"],
    }
    body = {"version": "2027.1", "effective_from": "2027-01-01T00:00:00+09:00", "clauses": [clause]}
    headers = {"Authorization": f"Bearer {token}"}
    refused = client.post("/api/v1/criteria", json=body, headers=headers)
    assert refused.status_code == 422, refused.text
    assert "text_en" in refused.text
    too_many = {**body, "clauses": [{**clause, "text_en": "ok", "code": str(n)} for n in range(301)]}
    assert client.post("/api/v1/criteria", json=too_many, headers=headers).status_code == 422
    assert client.get("/api/v1/criteria/2027.1").status_code == 404  # nothing was written
