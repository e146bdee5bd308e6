"""The staff pages apply the same evidence rule as the API (the service decides, the page only hides
forms): a consultation's evidence is not found for anyone it is not shared with, a specialist's posts to
it change nothing, counsellors are refused a case's evidence, owner ids that are not ids are named."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence.settings import evidence_settings
from tests.evidence.factories import World, png, snapshot, upload, world

NOT_SHARED = ["specialist", "reviewer", "legal_officer", "auditor", "administrator", "stranger"]
HTML = {"accept": "text/html"}


@pytest.fixture
def w(db: Session, settings: Settings, clock: FixedClock) -> World:
    return world(db, settings, clock.now())


def csrf(client: Any) -> str:
    """The CSRF token of the forms (double submit: the cookie set by any page, its first part)."""
    client.get("/evidence")
    return str(client.cookies.get("mamori_csrf")).split(".")[0]


def pages(client: Any, owner_type: str, owner_id: str, item_id: str, name: str) -> list[Any]:
    return [
        client.get("/evidence", params={"owner_type": owner_type, "owner_id": owner_id}, headers=HTML),
        client.get(f"/evidence/items/{item_id}", headers=HTML),
        client.get(f"/evidence/items/{item_id}/files/{name}", headers=HTML),
        client.get(f"/evidence/items/{item_id}/thumbnail.png", headers=HTML),
    ]


@pytest.mark.parametrize("who", NOT_SHARED)
def test_a_consultations_evidence_pages_are_not_found_for_anyone_it_is_not_shared_with(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    w.who(who).signed_in(client)
    for answer in pages(client, "consultation", w.consultation_id, item.id, item.file_name):
        assert answer.status_code == 404, (answer.request.url, answer.text[:300])
        assert item.sha256[:16] not in answer.text and png() not in answer.content
    assert (
        "見つかりません" in pages(client, "consultation", w.consultation_id, item.id, item.file_name)[0].text
    )
    assert snapshot(db, root) == before


def test_the_colleague_it_was_shared_with_sees_the_evidence_and_may_add_to_it(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    w.colleague.signed_in(client)
    listing, item_page, download, thumb = pages(
        client, "consultation", w.consultation_id, item.id, item.file_name
    )
    assert listing.status_code == 200 and item.sha256[:16] in listing.text
    assert 'action="/evidence/uploads' in listing.text
    assert item_page.status_code == 200 and 'name="recipient"' in item_page.text
    assert download.content == png() and thumb.content.startswith(b"\x89PNG")


def test_a_specialists_form_posts_to_a_consultations_evidence_change_nothing(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    w.roles["specialist"].signed_in(client)
    token = csrf(client)
    owner = {"owner_type": "consultation", "owner_id": w.consultation_id, "csrf_token": token}
    answers = [
        client.post(f"/evidence/items/{item.id}/handover", data={"csrf_token": token, "recipient": "誰か"}),
        client.post(f"/evidence/items/{item.id}/delete", data={"csrf_token": token, "reason": "不要"}),
        client.post("/evidence/uploads", data=owner, files={"file": ("s.png", png(), "image/png")}),
        client.post("/evidence/captures", data={**owner, "url": "https://example.com/p"}),
    ]
    assert [a.status_code for a in answers] == [404] * 4, [a.text[:300] for a in answers]
    assert snapshot(db, root) == before


@pytest.mark.parametrize("who", ["counsellor", "supervisor"])
def test_counsellors_are_refused_a_cases_evidence_pages(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.roles["specialist"].principal, "case", w.case_id)
    w.who(who).signed_in(client)
    answers = pages(client, "case", w.case_id, item.id, item.file_name)
    assert [a.status_code for a in answers] == [403] * 4
    assert "プラットフォームの担当者だけ" in answers[0].text and item.sha256[:16] not in answers[0].text
    en = client.get("/evidence", params={"owner_type": "case", "owner_id": w.case_id, "lang": "en"})
    assert "evidence is for the platform" in en.text and en.status_code == 403


@pytest.mark.parametrize("owner_id", ["..", "a/b", "c-77"])
def test_an_upload_from_the_form_to_an_owner_that_is_not_one_is_named_and_writes_nothing(
    client: Any, db: Session, settings: Settings, w: World, owner_id: str
) -> None:
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    w.author.signed_in(client)
    token = csrf(client)
    for lang, text in (("ja", "添付先のID (owner_id)"), ("en", "owner_id is not an id")):
        answer = client.post(
            f"/evidence/uploads?lang={lang}",
            data={"owner_type": "consultation", "owner_id": owner_id, "csrf_token": token},
            files={"file": ("s.png", png(), "image/png")},
        )
        assert answer.status_code == 422 and text in answer.text
        assert 'action="/evidence/uploads' not in answer.text  # no form for an owner that is not one
    assert snapshot(db, root) == before


def test_a_recipient_with_a_line_break_is_shown_again_with_the_reason(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    before = snapshot(db, evidence_settings(settings).root)
    w.author.signed_in(client)
    answer = client.post(
        f"/evidence/items/{item.id}/handover?lang=en",
        data={"csrf_token": csrf(client), "recipient": "Lawyer\r\nforged: entry"},
    )
    assert answer.status_code == 422 and "must be one line" in answer.text
    assert snapshot(db, evidence_settings(settings).root) == before
