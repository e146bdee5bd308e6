"""Drafts pre-filled from a platform case or a consultation record, with their evidence by SHA-256;
every read of the requester's details is audited; the pages refuse staff without the permission."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consult import service as consult
from mamori.consult.model import Contact
from mamori.core.audit import Actor, AuditRow
from mamori.core.auth import Principal, UserRow, create_user, start_session
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.drafting import sources
from mamori.drafting.model import Right
from mamori.drafting.service import DraftKind, read_draft
from mamori.evidence import service as evidence
from mamori.evidence.settings import evidence_settings
from mamori.requests import service as requests
from mamori.requests.store import ServiceRow
from mamori.web.deps import SESSION_COOKIE
from tests.evidence.test_pages import png

PASSWORD = "correct horse battery"


def staff(db: Session, clock: FixedClock, email: str, roles: list[str]) -> UserRow:
    return create_user(email, "担当者", roles, PASSWORD, db=db, at=clock.now(), by=Actor.system())


def principal(user: UserRow) -> Principal:
    return Principal(user.id, user.email, user.display_name, user.role_set)


def a_case(db: Session, settings: Settings, clock: FixedClock) -> str:
    db.add(ServiceRow(slug="board", name_ja="掲示板", name_en="Board", created_at=clock.now()))
    db.flush()
    attached = requests.EvidenceRef(sha256="b" * 64, description="本人のスクリーンショット", url="")
    form = requests.RequestForm(
        service="board",
        content_url="https://board.example/t/1#5",
        content_text="佐藤一郎は詐欺師だ",
        rights=["名誉権", "プライバシー"],
        reason="事実無根で、職場で噂になっています。",
        requester=requests.Requester("佐藤一郎", "東京都千代田区1-1", "ichiro@example.jp", "03-0000-0000"),
        show_name_to_poster=False,
        declaration_true=True,
        evidence=[attached],
    )
    return requests.file_request(form, db=db, settings=settings, at=clock.now(), by=Actor.system()).case_id


def an_upload(db: Session, settings: Settings, clock: FixedClock, owner_type: str, owner_id: str) -> str:
    uploader = principal(staff(db, clock, f"up{owner_id}@src.test", ["specialist"]))
    item = evidence.upload(
        owner_type,
        owner_id,
        "shot.png",
        png(),
        by=uploader,
        reason="",
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    return item.sha256


def test_a_case_maps_onto_the_draft_facts_with_its_evidence(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = a_case(db, settings, clock)
    sha = an_upload(db, settings, clock, "case", case_id)
    reader = principal(staff(db, clock, "spec@src.test", ["specialist"]))
    facts = sources.facts_from_case(case_id, db=db, settings=settings, at=clock.now(), by=reader)
    assert facts.content_url == "https://board.example/t/1#5"
    assert facts.content_text == "佐藤一郎は詐欺師だ"
    assert facts.rights == [Right.HONOUR, Right.PRIVACY]
    assert facts.reason.startswith("事実無根")
    assert facts.requester is not None and facts.requester.email == "ichiro@example.jp"
    assert facts.show_name_to_poster is False and facts.declaration_true is False
    assert [e.sha256 for e in facts.evidence] == [sha, "b" * 64]
    assert facts.service == settings.platform_name
    reads = db.scalars(
        select(AuditRow).where(AuditRow.subject_id == case_id, AuditRow.action == "personal_data.read")
    ).all()
    assert len(reads) == 1 and reads[0].actor == f"user:{reader.user_id}"


def test_the_case_form_values_read_back_as_a_valid_draft_once_the_requester_declares(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = a_case(db, settings, clock)
    an_upload(db, settings, clock, "case", case_id)
    reader = principal(staff(db, clock, "spec@src.test", ["specialist"]))
    facts = sources.facts_from_case(case_id, db=db, settings=settings, at=clock.now(), by=reader)
    from starlette.datastructures import FormData

    from mamori.drafting.pages import draft_from_form

    values = sources.form_values(facts)
    fields = [(k, v) for k, v in values.items() if isinstance(v, str)]
    fields += [("rights", r) for r in values["rights"]] + [("declaration_true", "yes")]
    draft = read_draft(DraftKind.DELETION, draft_from_form(DraftKind.DELETION, FormData(fields)))
    assert len(draft.evidence) == 2 and draft.requester.name == "佐藤一郎"


def test_a_consultation_maps_its_contact_categories_and_evidence(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    counsellor = principal(staff(db, clock, "c@src.test", ["counsellor"]))
    new = consult.NewConsultation(
        channel="phone",
        categories=["defamation", "privacy", "other"],
        service="x",
        summary="職場の同僚に知られたくない。",
        contact=Contact(name="田中花子", email="hanako@example.jp"),
        contact_consent=True,
    )
    row = consult.record_consultation(
        new, by=counsellor, db=db, at=clock.now(), secret_key=settings.secret_key
    )
    item = evidence.upload(
        "consultation",
        row.id,
        "s.png",
        png(),
        by=counsellor,
        reason="",
        db=db,
        settings=evidence_settings(settings),
        clock=clock,
    )
    facts = sources.facts_from_consultation(row.id, db=db, settings=settings, at=clock.now(), by=counsellor)
    assert facts.rights == [Right.HONOUR, Right.PRIVACY]
    assert (
        facts.requester is not None and facts.requester.name == "田中花子" and facts.requester.address == ""
    )
    assert [e.sha256 for e in facts.evidence] == [item.sha256]
    assert facts.service  # the service guide's name
    assert "同僚" not in repr(facts)  # the counsellor's summary is never copied into a draft


def csrf_free_get(client: Any, db: Session, clock: FixedClock, roles: list[str], url: str) -> Any:
    user = staff(db, clock, f"{'-'.join(roles)}@web.test", roles)
    token, _ = start_session(user, db=db, at=clock.now())
    db.flush()
    client.cookies.set(SESSION_COOKIE, token)
    return client.get(url, follow_redirects=False)


def test_the_deletion_page_is_prefilled_from_a_case_for_staff_who_may_read_cases(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = a_case(db, settings, clock)
    sha = an_upload(db, settings, clock, "case", case_id)
    page = csrf_free_get(client, db, clock, ["specialist"], f"/drafting/deletion?case={case_id}")
    assert page.status_code == 200, page.text[:500]
    assert 'value="https://board.example/t/1#5"' in page.text
    assert "佐藤一郎は詐欺師だ" in page.text and sha in page.text and "b" * 64 in page.text
    assert re.search(r'value="honour"\s+checked', page.text)
    assert re.search(r'name="show_name_to_poster" value="no" checked', page.text)
    assert 'name="declaration_true" value="yes" >' in page.text  # left for the requester to confirm
    assert "記録から入力しました" in page.text


def test_a_counsellor_may_not_open_a_case_and_a_visitor_is_sent_to_sign_in(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = a_case(db, settings, clock)
    visitor = client.get(f"/drafting/deletion?case={case_id}", follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login?next=")
    refused = csrf_free_get(client, db, clock, ["counsellor"], f"/drafting/deletion?case={case_id}")
    assert refused.status_code == 403
    assert client.get("/drafting/deletion").status_code == 200  # the empty form stays public
    unknown = csrf_free_get(client, db, clock, ["reviewer"], "/drafting/disclosure?case=nope")
    assert unknown.status_code == 404


def test_the_disclosure_page_is_prefilled_from_a_consultation(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    user = staff(db, clock, "c2@src.test", ["counsellor"])
    new = consult.NewConsultation(channel="web", categories=["insult"], service="other", summary="相談")
    row = consult.record_consultation(
        new, by=principal(user), db=db, at=clock.now(), secret_key=settings.secret_key
    )
    token, _ = start_session(user, db=db, at=clock.now())
    db.flush()
    client.cookies.set(SESSION_COOKIE, token)
    page = client.get(f"/drafting/disclosure?consultation={row.id}")
    assert page.status_code == 200 and re.search(r'value="honour_feeling"\s+checked', page.text)
    assert "記録から入力しました" in page.text and ">相談</textarea>" not in page.text  # summary not copied
