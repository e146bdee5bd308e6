"""What a counsellor types is bounded: names and contact details refuse Unicode control characters
(CR/LF, NUL, bidi overrides), free text refuses all but its line breaks, with a message in Japanese
and English naming the field, on every entry point (the rule is mamori.core.text's)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.consult import service, store
from mamori.consult.model import Contact
from mamori.core.clock import FixedClock
from mamori.core.errors import DomainError
from tests.consult.factories import SECRET, csrf, signed_in, staff

CONTROLS = {
    "line break": "山田\r\n花子",
    "NUL": "山田\x00花子",
    "bidi override": "山田\u202e子花",
    "bidi isolate": "山田\u2066花子\u2069",
}


def _records(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(store.ConsultationRow)) or 0)


@pytest.mark.parametrize("field", ["name", "phone", "email"])
@pytest.mark.parametrize("value", list(CONTROLS.values()), ids=list(CONTROLS))
def test_contact_details_refuse_control_characters(
    field: str, value: str, db: Session, clock: FixedClock
) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    new = service.NewConsultation(
        "phone", ["insult"], "x", "要約", contact=Contact(**{field: value}), contact_consent=True
    )
    with pytest.raises(DomainError) as refused:
        service.record_consultation(new, by=author, db=db, at=clock.now(), secret_key=SECRET)
    assert refused.value.field == f"contact.{field}" and refused.value.status == 422
    assert refused.value.code in {"line_break", "control_character", "bidi_control"}
    assert "U+" in refused.value.en and "U+" in refused.value.ja


@pytest.mark.parametrize("value", [CONTROLS["NUL"], CONTROLS["bidi override"]], ids=["NUL", "bidi"])
def test_free_text_keeps_its_line_breaks_but_refuses_hidden_controls(
    value: str, db: Session, clock: FixedClock
) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    new = service.NewConsultation("phone", ["insult"], "x", value)
    with pytest.raises(DomainError) as refused:
        service.record_consultation(new, by=author, db=db, at=clock.now(), secret_key=SECRET)
    assert refused.value.field == "summary"
    row = service.record_consultation(
        service.NewConsultation("phone", ["insult"], "x", "一行目\r\n二行目"),
        by=author,
        db=db,
        at=clock.now(),
        secret_key=SECRET,
    )
    with pytest.raises(DomainError) as note_refused:
        service.add_follow_up(row.id, value, by=author, db=db, at=clock.now(), secret_key=SECRET)
    assert note_refused.value.field == "note" and row.follow_up_count == 0


def test_an_ordinary_japanese_name_is_accepted(db: Session, clock: FixedClock) -> None:
    _, author = staff(db, "counsellor", at=clock.now())
    new = service.NewConsultation(
        "phone", ["insult"], "x", "要約\n二行目", contact=Contact(name="髙橋 花子"), contact_consent=True
    )
    service.record_consultation(new, by=author, db=db, at=clock.now(), secret_key=SECRET)


def test_the_api_names_the_field_and_writes_nothing(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    body = {
        "channel": "phone",
        "categories": ["insult"],
        "service": "x",
        "summary": "要約",
        "contact": {"name": CONTROLS["bidi override"]},
        "contact_consent": True,
    }
    before = _records(db)
    answer = client.post("/api/v1/consultations", json=body, headers={"X-CSRF-Token": csrf(client)})
    assert answer.status_code == 422 and answer.json()["detail"][0]["field"] == "contact.name"
    assert _records(db) == before


def test_the_form_says_why_and_writes_nothing(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    form = {
        "csrf_token": csrf(client),
        "channel": "phone",
        "categories": ["insult"],
        "service": "x",
        "summary": "要約",
        "contact_name": CONTROLS["NUL"],
        "contact_consent": "true",
    }
    before = _records(db)
    refused = client.post("/consult/records?lang=en", data=form)
    assert refused.status_code == 422 and "invisible control character (U+0000" in refused.text
    assert _records(db) == before


def test_the_api_bounds_lists_and_choices_before_parsing(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    headers = {"X-CSRF-Token": csrf(client)}
    body = {"channel": "phone", "categories": ["insult"] * 21, "service": "x", "summary": "要約"}
    assert client.post("/api/v1/consultations", json=body, headers=headers).status_code == 422
    body = {"channel": "p" * 41, "categories": ["insult"], "service": "x", "summary": "要約"}
    assert client.post("/api/v1/consultations", json=body, headers=headers).status_code == 422
