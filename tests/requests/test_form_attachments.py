"""The public removal-request form takes screenshots with the request and lets a parent, a lawyer or
another representative file for the person harmed, with the relation recorded (issue 11: "the public
form has no screenshot or file upload, no way to file for someone else"). The request and its files are
written together or not at all."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.config import Settings
from mamori.evidence.store import EvidenceItemRow
from mamori.requests import service
from mamori.requests.store import CaseRow
from tests.evidence.factories import png
from tests.factories import make_service
from tests.requests.test_form_wording import GOOD, csrf, field_error

SHOTS = [
    ("files", ("post.png", png((200, 0, 0)), "image/png")),
    ("files", ("thread.png", png(), "image/png")),
]


def count(db: Session, table: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(table)) or 0)


def test_screenshots_sent_with_the_form_become_the_case_evidence(client: Any, db: Session) -> None:
    make_service(db)
    page = client.post("/request?lang=ja", data=dict(GOOD, csrf_token=csrf(client, "ja")), files=SHOTS)
    assert page.status_code == 200, page.text[:300]
    case = db.scalars(select(CaseRow)).one()
    items = db.scalars(select(EvidenceItemRow).where(EvidenceItemRow.owner_id == case.id)).all()
    assert sorted(i.media_type for i in items) == ["image/png", "image/png"]
    assert {i.created_by for i in items} == {f"requester:{case.receipt_number}"}
    assert all(i.sealed and len(i.sha256) == 64 for i in items)


def test_a_refused_file_leaves_no_case_and_keeps_the_values(client: Any, db: Session) -> None:
    make_service(db)
    files = [*SHOTS, ("files", ("notes.txt", b"just text", "text/plain"))]
    page = client.post("/request?lang=en", data=dict(GOOD, csrf_token=csrf(client, "en")), files=files)
    assert page.status_code == 422
    assert "notes.txt" in field_error(page.text, "files")
    assert count(db, CaseRow) == 0 and count(db, EvidenceItemRow) == 0
    assert 'value="hanako@example.com"' in page.text


def test_too_many_files_are_refused_with_the_limit(client: Any, db: Session) -> None:
    make_service(db)
    many = [("files", (f"s{i}.png", png(), "image/png")) for i in range(11)]
    page = client.post("/request?lang=ja", data=dict(GOOD, csrf_token=csrf(client, "ja")), files=many)
    assert page.status_code == 422 and "10個" in field_error(page.text, "files")
    assert count(db, CaseRow) == 0


def test_a_replayed_form_keeps_the_files_once(client: Any, db: Session) -> None:
    make_service(db)
    form = dict(GOOD, csrf_token=csrf(client, "ja"), idempotency_key="same-key-123456")
    first = client.post("/request?lang=ja", data=form, files=SHOTS)
    again = client.post("/request?lang=ja", data=form, files=SHOTS)
    assert first.status_code == again.status_code == 200
    assert count(db, CaseRow) == 1 and count(db, EvidenceItemRow) == 2


def test_a_parent_files_for_a_child_with_the_relation_recorded(
    client: Any, db: Session, settings: Settings
) -> None:
    make_service(db)
    form = dict(GOOD, csrf_token=csrf(client, "ja"), relation="parent", on_behalf_of="山田 太郎")
    page = client.post("/request?lang=ja", data=form)
    assert page.status_code == 200, page.text[:300]
    case = db.scalars(select(CaseRow)).one()
    requester = service.requester_of(
        case, settings=settings, db=db, at=case.received_at, by=Actor.system(), purpose="test"
    )
    assert (requester.relation, requester.on_behalf_of, requester.name) == (
        "parent",
        "山田 太郎",
        "山田 花子",
    )
    # sealed like the rest of the requester: the child's name is not stored in the clear
    raw = " ".join(str(v) for v in db.execute(select(CaseRow.__table__)).one())
    assert "山田 太郎" not in raw


def test_acting_for_someone_needs_their_name_and_self_keeps_none(client: Any, db: Session) -> None:
    make_service(db)
    page = client.post(
        "/request?lang=en", data=dict(GOOD, csrf_token=csrf(client, "en"), relation="lawyer", on_behalf_of="")
    )
    assert page.status_code == 422
    assert "person you act for" in field_error(page.text, "on_behalf_of")
    page = client.post(
        "/request?lang=ja",
        data=dict(GOOD, csrf_token=csrf(client, "ja"), relation="someone", on_behalf_of="x"),
    )
    assert page.status_code == 422 and field_error(page.text, "relation")


def test_the_form_offers_files_and_the_relation(client: Any) -> None:
    page = client.get("/request?lang=en").text
    assert 'enctype="multipart/form-data"' in page and re.search(
        r'<input type="file" id="files"[^>]*multiple', page
    )
    assert "I am a parent or guardian of the child harmed" in page and 'href="/evidence/kit?lang=en"' in page


def test_the_specialist_reaches_the_attached_files_from_the_case_page(
    client: Any, db: Session, settings: Settings
) -> None:
    from tests.factories import make_staff

    make_service(db)
    client.post("/request?lang=ja", data=dict(GOOD, csrf_token=csrf(client, "ja")), files=SHOTS)
    case = db.scalars(select(CaseRow)).one()
    _user, token = make_staff(db, ["specialist"], "files@staff.test")
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/html"}
    page = client.get(f"/workspace/cases/{case.id}?lang=en", headers=headers).text
    link = re.search(r'id="case-evidence" href="([^"]+)"', page)
    assert link, "no link to the case's evidence"
    listing = client.get(link.group(1).replace("&amp;", "&"), headers=headers)
    assert listing.status_code == 200 and "post.png" in listing.text and "thread.png" in listing.text
