"""The JSON API applies the evidence rule to every object: a consultation's evidence only for those it is
shared with, a case's only for platform staff, owners that are not one refused naming the field in ja
and en; a refusal writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence.settings import evidence_settings
from tests.evidence.factories import World, png, snapshot, upload, world

NOT_SHARED = ["specialist", "reviewer", "legal_officer", "auditor", "administrator", "stranger"]


@pytest.fixture
def w(db: Session, settings: Settings, clock: FixedClock) -> World:
    return world(db, settings, clock.now())


def reads(client: Any, headers: dict[str, str], owner_type: str, owner_id: str, item_id: str) -> list[Any]:
    owner = {"owner_type": owner_type, "owner_id": owner_id}
    return [
        client.get("/api/v1/evidence/items", params=owner, headers=headers),
        client.get(f"/api/v1/evidence/items/{item_id}/download", headers=headers),
        client.get("/api/v1/evidence/report", params={**owner, "format": "pdf"}, headers=headers),
        client.get("/api/v1/evidence/report", params={**owner, "format": "html"}, headers=headers),
    ]


@pytest.mark.parametrize("who", NOT_SHARED)
def test_a_consultations_evidence_is_not_found_for_anyone_it_is_not_shared_with(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    for answer in reads(client, w.who(who).headers, "consultation", w.consultation_id, item.id):
        assert answer.status_code == 404, (answer.request.url, answer.text)
        assert item.sha256 not in answer.text and png() not in answer.content
    assert snapshot(db, root) == before  # not even an export entry in the ledger


@pytest.mark.parametrize("who", ["author", "colleague", "supervisor"])
def test_a_consultations_evidence_is_there_for_those_it_is_shared_with(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    listed, download, pdf, html = reads(
        client, w.who(who).headers, "consultation", w.consultation_id, item.id
    )
    assert [i["sha256"] for i in listed.json()["items"]] == [item.sha256]
    assert download.status_code == 200 and download.content == png()
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert html.status_code == 200 and item.sha256 in html.text


def test_a_specialist_may_not_hand_over_delete_or_add_to_a_consultations_evidence(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    headers = w.roles["specialist"].headers
    owner = {"owner_type": "consultation", "owner_id": w.consultation_id}
    answers = [
        client.post(
            f"/api/v1/evidence/items/{item.id}/handover", json={"recipient": "誰か"}, headers=headers
        ),
        client.post(f"/api/v1/evidence/items/{item.id}/delete", json={"reason": "不要"}, headers=headers),
        client.post(
            "/api/v1/evidence/uploads",
            data=owner,
            files={"file": ("s.png", png(), "image/png")},
            headers=headers,
        ),
        client.post(
            "/api/v1/evidence/uploads",
            data={**owner, "redacts": item.id},
            files={"file": ("s.png", png((0, 0, 0)), "image/png")},
            headers=headers,
        ),
        client.post(
            "/api/v1/evidence/captures", json={**owner, "url": "https://example.com/post"}, headers=headers
        ),
    ]
    assert [a.status_code for a in answers] == [404] * 5, [a.text for a in answers]
    assert snapshot(db, root) == before


@pytest.mark.parametrize("who", ["counsellor", "supervisor", "author"])
def test_counsellors_may_not_read_or_add_to_a_cases_evidence(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.roles["specialist"].principal, "case", w.case_id)
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    headers = w.who(who).headers
    for answer in reads(client, headers, "case", w.case_id, item.id):
        assert answer.status_code == 403, (answer.request.url, answer.text)
        assert answer.json()["message"]["ja"] and answer.json()["message"]["en"]
    added = client.post(
        "/api/v1/evidence/uploads",
        data={"owner_type": "case", "owner_id": w.case_id},
        files={"file": ("s.png", png(), "image/png")},
        headers=headers,
    )
    assert added.status_code == 403
    assert snapshot(db, root) == before


@pytest.mark.parametrize("who", ["administrator", "specialist", "reviewer", "legal_officer", "auditor"])
def test_platform_staff_read_a_cases_evidence(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World, who: str
) -> None:
    item = upload(db, settings, clock, w.roles["specialist"].principal, "case", w.case_id)
    listed, download, pdf, _html = reads(client, w.who(who).headers, "case", w.case_id, item.id)
    assert [i["id"] for i in listed.json()["items"]] == [item.id]
    assert download.content == png() and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("owner_id", "status"),
    [("..", 422), ("a/b", 422), ("", 422), (None, 422), ("0" * 32, 404)],
)
def test_an_upload_to_an_owner_that_is_not_one_is_refused_naming_the_field(
    client: Any, db: Session, settings: Settings, w: World, owner_id: str | None, status: int
) -> None:
    root = evidence_settings(settings).root
    before = snapshot(db, root)
    form = {"owner_type": "consultation"} | ({} if owner_id is None else {"owner_id": owner_id})
    answer = client.post(
        "/api/v1/evidence/uploads",
        data=form,
        files={"file": ("s.png", png(), "image/png")},
        headers=w.author.headers,
    )
    assert answer.status_code == status, answer.text
    body = answer.json()
    if status == 422:
        (problem,) = body["detail"]
        assert problem["field"] == "owner_id"
        assert problem["message"]["ja"] and problem["message"]["en"]
    assert snapshot(db, root) == before


def test_a_capture_for_an_owner_that_is_not_one_is_refused_before_the_page_is_fetched(
    client: Any, w: World
) -> None:
    body = {"owner_type": "case", "owner_id": "..", "url": "http://127.0.0.1:9/secret"}
    answer = client.post("/api/v1/evidence/captures", json=body, headers=w.roles["specialist"].headers)
    assert answer.status_code == 422 and answer.json()["error"] == "evidence_owner_id"


def test_a_recipient_with_control_characters_is_refused_in_both_languages(
    client: Any, db: Session, settings: Settings, clock: FixedClock, w: World
) -> None:
    item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    before = snapshot(db, evidence_settings(settings).root)
    for recipient in ("山田\r\n弁護士", "山田\u202e士護弁", "a\x00b"):
        answer = client.post(
            f"/api/v1/evidence/items/{item.id}/handover",
            json={"recipient": recipient},
            headers=w.author.headers,
        )
        assert answer.status_code == 422, answer.text
        (problem,) = answer.json()["detail"]
        assert problem["field"] == "recipient"
        assert problem["message"]["ja"] and "U+" in problem["message"]["en"]
    assert snapshot(db, evidence_settings(settings).root) == before


def test_a_file_name_with_a_direction_override_is_refused(
    client: Any, db: Session, settings: Settings, w: World
) -> None:
    answer = client.post(
        "/api/v1/evidence/uploads",
        data={"owner_type": "consultation", "owner_id": w.consultation_id},
        files={"file": ("photo\u202egnp.exe", png(), "image/png")},
        headers=w.author.headers,
    )
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "file"


def test_captures_are_rate_limited_per_address(client: Any, settings: Settings, w: World) -> None:
    """Each capture starts Chromium: a client gets 429 after MAMORI_CAPTURE_RATE_LIMIT_PER_MINUTE."""
    client.app.state.settings = settings.model_copy(update={"capture_rate_limit_per_minute": 2})
    body = {"owner_type": "case", "owner_id": "..", "url": "http://127.0.0.1:9/secret"}
    codes = [
        client.post("/api/v1/evidence/captures", json=body, headers=w.roles["specialist"].headers).status_code
        for _ in range(3)
    ]
    assert codes == [422, 422, 429]
