"""The operator named in notices: the settings until it is set up, then one row, changed only by an
administrator, every detail checked (one line, an e-mail, an http(s) address), every change audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core import operator as operators
from mamori.core.audit import Actor, entries_for
from mamori.core.clock import JST
from mamori.core.config import Settings
from mamori.core.errors import DomainError

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)
ADMIN = Actor("user:admin", frozenset({"administrator"}))
DETAILS = {
    "name_ja": "例示株式会社",
    "name_en": "Example Inc.",
    "email": "removal@example.jp",
    "public_url": "https://removal.example.jp/request",
    "postal_address": "東京都千代田区1-1-1",
    "phone": "03-1234-5678",
    "contact_url": "https://example.jp/contact",
}


def test_until_it_is_set_up_the_operator_comes_from_the_settings(db: Session) -> None:
    settings = Settings(
        platform_name="テスト基盤", operator_email="ops@example.jp", base_url="https://x.example"
    )
    profile = operators.operator_profile(db, settings)
    assert profile == operators.OperatorProfile(
        name_ja="テスト基盤", name_en="テスト基盤", email="ops@example.jp", public_url="https://x.example"
    )
    assert not profile.configured and not operators.operator_is_set_up(db)


def test_once_set_the_operator_is_what_notices_name_whatever_the_settings(db: Session) -> None:
    saved = operators.set_operator(**DETAILS, db=db, at=AT, by=ADMIN)
    profile = operators.operator_profile(db, Settings(platform_name="ignored now"))
    assert profile == saved
    assert (
        profile.configured and profile.name("ja") == "例示株式会社" and profile.name("en") == "Example Inc."
    )
    assert (profile.postal_address, profile.phone, profile.contact_url) == (
        "東京都千代田区1-1-1",
        "03-1234-5678",
        "https://example.jp/contact",
    )


def test_setting_it_again_replaces_the_one_row_and_each_change_is_audited(db: Session) -> None:
    operators.set_operator(**DETAILS, db=db, at=AT, by=ADMIN)
    later = AT + dt.timedelta(days=1)
    operators.set_operator(
        **{**DETAILS, "name_en": "Example K.K.", "phone": "", "contact_url": "  "}, db=db, at=later, by=ADMIN
    )
    assert db.scalar(select(func.count()).select_from(operators.OperatorRow)) == 1
    profile = operators.operator_profile(db, Settings())
    assert profile.name_en == "Example K.K." and profile.phone is None and profile.contact_url is None
    first, second = entries_for(db, "operator", "1")
    assert (first.action, first.actor, second.at) == ("operator.set", "user:admin", later)
    assert json.loads(second.detail)["changed"] == {
        "name_en": {"from": "Example Inc.", "to": "Example K.K."},
        "phone": {"from": "03-1234-5678", "to": None},
        "contact_url": {"from": "https://example.jp/contact", "to": None},
    }


def test_details_are_trimmed_and_full_width_phone_digits_become_ascii(db: Session) -> None:
    profile = operators.set_operator(
        **{**DETAILS, "name_ja": "  例示株式会社 ", "phone": "０３-１２３４-５６７８"}, db=db, at=AT, by=ADMIN
    )
    assert profile.name_ja == "例示株式会社" and profile.phone == "03-1234-5678"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name_ja", "", "required"),
        ("name_ja", "例示\n株式会社", "line_break"),
        ("name_en", "Example\u202eInc", "bidi_control"),
        ("name_en", "x" * 201, "too_long"),
        ("email", "removal at example.jp", "invalid_email"),
        ("email", "removal@example.jp\r\nBcc: all@example.jp", "line_break"),
        ("public_url", "ftp://removal.example.jp", "invalid_url"),
        ("public_url", "removal.example.jp", "invalid_url"),
        ("contact_url", "javascript:alert(1)", "invalid_url"),
        ("contact_url", "https://" + "a" * 500 + ".jp", "too_long"),
        ("phone", "call us", "invalid_phone"),
        ("phone", "1" + "\u2487" * 30 + "9", "too_long"),  # NFKC makes each one "(20)"
        ("postal_address", "東京都\x00千代田区", "control_character"),
    ],
)
def test_each_bad_detail_is_refused_naming_its_field(db: Session, field: str, value: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        operators.set_operator(**{**DETAILS, field: value}, db=db, at=AT, by=ADMIN)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert refused.value.ja and refused.value.en and refused.value.ja != refused.value.en
    assert not operators.operator_is_set_up(db)


@pytest.mark.parametrize("roles", [{"specialist"}, {"auditor"}, {"legal_officer"}, set()])
def test_only_an_administrator_may_set_the_operator(db: Session, roles: set[str]) -> None:
    with pytest.raises(DomainError) as refused:
        operators.set_operator(**DETAILS, db=db, at=AT, by=Actor("user:someone", frozenset(roles)))
    assert refused.value.status == 403
    assert not operators.operator_is_set_up(db)


def test_notices_name_the_operator_set_up_and_how_to_reach_them(
    client: Any, db: Session, settings: Settings, clock: Any, session_factory: Any, mail: Any
) -> None:
    from mamori.core import operator as operator_module
    from mamori.worker import deliver_due
    from tests.factories import make_service, make_staff, request_payload
    from tests.support.smtp import body_text

    make_service(db)
    admin, _ = make_staff(db, ["administrator"], "owner@operator.example.com")
    operator_module.set_operator(
        name_ja="株式会社テスト掲示板",
        name_en="Test Board Inc.",
        email="help@board.example.jp",
        public_url="https://board.example.jp/requests",
        phone="03-1234-5678",
        db=db,
        at=clock.now(),
        by=admin.actor(),
    )
    db.flush()
    assert client.post("/api/v1/removal-requests", json=request_payload()).status_code == 201
    deliver_due(session_factory, settings, clock)
    (receipt,) = mail.to("hanako@example.com")
    text = body_text(receipt)
    assert "株式会社テスト掲示板" in str(receipt["Subject"])
    assert "help@board.example.jp" in text and "03-1234-5678" in text
