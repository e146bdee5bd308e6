"""File → decide → both notices arrive in the SMTP server with the reason and the clause (Art. 25, 27)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.notices.store import NoticeRow
from mamori.requests.store import CaseRow, events
from mamori.worker import deliver_due
from tests.factories import make_criteria, make_service, make_staff, request_payload
from tests.support.smtp import MailSink, body_text

REASON = "投稿は具体的な事実を摘示して申出者の社会的評価を低下させ、公益性も認められないため。"


def file(client: Any, **over: Any) -> dict[str, Any]:
    response = client.post("/api/v1/removal-requests", json=request_payload(**over))
    assert response.status_code == 201, response.text
    return dict(response.json())


def staff_headers(db: Session, roles: list[str], email: str | None = None) -> dict[str, str]:
    _user, token = make_staff(db, roles, email)
    return {"Authorization": f"Bearer {token}"}


def add_poster(
    client: Any,
    case_id: str,
    headers: dict[str, str],
    email: str = "poster@example.com",
    account: str = "acct-42",
) -> None:
    response = client.post(
        f"/api/v1/cases/{case_id}/poster", json={"account_id": account, "email": email}, headers=headers
    )
    assert response.status_code == 204, response.text


def deliver(session_factory: Any, settings: Any, clock: FixedClock) -> None:
    deliver_due(session_factory, settings, clock)


def test_removal_notifies_requester_and_poster_with_reason_and_clause(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    add_poster(client, case["id"], specialist)
    clock.advance(days=2)
    decided = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "clause": "2.1", "reason": REASON},
    )
    assert decided.status_code == 201, decided.text
    assert decided.json()["requester_notice"] == "queued" and decided.json()["poster_notice"] == "queued"
    deliver(session_factory, settings, clock)

    _receipt, decision = mail.to("hanako@example.com")
    requester_text = body_text(decision)
    assert "投稿の削除" in requester_text and "2.1" in requester_text
    assert "情報流通プラットフォーム対処法第25条" in requester_text
    (poster_mail,) = mail.to("poster@example.com")
    poster_text = body_text(poster_mail)
    assert REASON in poster_text
    assert "削除基準 2026.1 第2.1項" in poster_text or ("2026.1" in poster_text and "2.1" in poster_text)
    assert "他人の社会的評価を低下させる投稿" in poster_text  # the clause's published title
    assert "Posts that lower a person's social standing" in poster_text  # and the English half
    assert "山田花子" not in poster_text  # the requester did not agree to show the name
    row = db.get(CaseRow, case["id"])
    assert row is not None and row.stage == "decided"
    assert row.first_requester_notice_at == dt.datetime(2026, 4, 3, 10, 0, tzinfo=JST)
    kinds = [e.kind for e in events(db, case["id"])]
    assert kinds[:3] == ["received", "poster_recorded", "review_started"] and "decided" in kinds
    assert kinds.count("notice_sent") == 3


def test_no_action_tells_the_requester_the_reason_and_the_poster_nothing(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client, lang="en")
    why = "The post is criticism of public conduct and states no false fact about the requester."
    response = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "no_action", "criteria_version": "2026.1", "reason": why},
    )
    assert response.status_code == 201 and response.json()["poster_notice"] is None
    deliver(session_factory, settings, clock)
    texts = [body_text(m) for m in mail.to("hanako@example.com")]
    assert any("We did not remove the content" in t and why in t for t in texts)
    assert mail.to("poster@example.com") == []


def test_showing_the_name_to_the_poster_only_when_the_requester_agreed(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client, show_name_to_poster=True)
    add_poster(client, case["id"], specialist)
    client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "clause": "2.1", "reason": REASON},
    )
    deliver(session_factory, settings, clock)
    assert "山田花子" in body_text(mail.to("poster@example.com")[0])


def test_extension_ground_sends_an_interim_notice_inside_the_period(
    client: Any, db: Session, settings: Any, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    make_service(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    clock.advance(days=6)
    missing = client.post(
        f"/api/v1/cases/{case['id']}/extension",
        headers=specialist,
        json={"ground": "unavoidable", "reason": ""},
    )
    assert missing.status_code == 422 and missing.json()["detail"][0]["field"] == "reason"
    response = client.post(
        f"/api/v1/cases/{case['id']}/extension",
        headers=specialist,
        json={"ground": "specialist_investigation"},
    )
    assert response.status_code == 201
    deliver(session_factory, settings, clock)
    interim = body_text(mail.to("hanako@example.com")[-1])
    assert "侵害情報調査専門員が調査を行っているため" in interim
    row = db.get(CaseRow, case["id"])
    assert row is not None and row.stage == "extended"
    assert row.first_requester_notice_at is not None and row.first_requester_notice_at <= row.decision_due_at
    listed = client.get("/api/v1/cases", headers=specialist).json()
    assert listed[0]["clock"] == "answered"


def test_a_decision_may_cite_only_criteria_published_before_it(
    client: Any, db: Session, clock: FixedClock
) -> None:
    make_service(db)
    make_criteria(db, version="2026.9", published=dt.datetime(2026, 5, 1, tzinfo=JST))
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    add_poster(client, case["id"], specialist)
    decision = {"measure": "remove", "criteria_version": "2026.9", "clause": "2.1", "reason": REASON}
    refused = client.post(f"/api/v1/cases/{case['id']}/decision", headers=specialist, json=decision)
    assert refused.status_code == 422 and refused.json()["error"] == "criteria_not_published"
    assert db.get(CaseRow, case["id"]).stage == "received"  # type: ignore[union-attr]
    clock.set(dt.datetime(2026, 5, 1, 0, 0, 1, tzinfo=JST))
    assert (
        client.post(f"/api/v1/cases/{case['id']}/decision", headers=specialist, json=decision).status_code
        == 201
    )


def test_a_removal_must_cite_a_clause_that_provides_for_it(client: Any, db: Session) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    add_poster(client, case["id"], specialist)
    no_clause = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "reason": REASON},
    )
    assert no_clause.status_code == 422 and no_clause.json()["detail"][0]["field"] == "clause"
    unknown = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "clause": "9.9", "reason": REASON},
    )
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_clause"


def test_a_removal_needs_the_posters_contact_first(client: Any, db: Session) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    response = client.post(
        f"/api/v1/cases/{case['id']}/decision",
        headers=specialist,
        json={"measure": "remove", "criteria_version": "2026.1", "clause": "2.1", "reason": REASON},
    )
    assert response.status_code == 422 and response.json()["error"] == "poster_unknown"


def test_a_decided_case_cannot_be_decided_twice(client: Any, db: Session) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    body = {"measure": "no_action", "criteria_version": "2026.1", "reason": REASON}
    assert (
        client.post(f"/api/v1/cases/{case['id']}/decision", headers=specialist, json=body).status_code == 201
    )
    assert (
        client.post(f"/api/v1/cases/{case['id']}/decision", headers=specialist, json=body).status_code == 409
    )


def test_preview_shows_the_notices_without_sending_or_deciding(client: Any, db: Session) -> None:
    make_service(db)
    make_criteria(db)
    specialist = staff_headers(db, ["specialist"])
    case = file(client)
    add_poster(client, case["id"], specialist)
    body = {"measure": "remove", "criteria_version": "2026.1", "clause": "2.1", "reason": REASON}
    preview = client.post(f"/api/v1/cases/{case['id']}/decision-preview", headers=specialist, json=body)
    assert preview.status_code == 200
    by_recipient = {p["recipient"]: p["body"] for p in preview.json()}
    assert sorted(by_recipient) == ["poster", "requester"]
    assert REASON in by_recipient["poster"] and "投稿の削除" in by_recipient["requester"]
    row = db.get(CaseRow, case["id"])
    assert row is not None and row.stage == "received"
    assert len(db.scalars(select(NoticeRow).where(NoticeRow.case_id == case["id"])).all()) == 1  # the receipt


def test_staff_routes_need_sign_in_and_the_right_role(client: Any, db: Session) -> None:
    make_service(db)
    case = file(client)
    auditor = staff_headers(db, ["auditor"])
    body = {"measure": "no_action", "criteria_version": "2026.1", "reason": REASON}
    assert client.post(f"/api/v1/cases/{case['id']}/decision", json=body).status_code == 401
    assert client.post(f"/api/v1/cases/{case['id']}/decision", json=body, headers=auditor).status_code == 403
    assert client.get(f"/api/v1/cases/{case['id']}", headers=auditor).status_code == 200


def test_reading_a_case_is_audited_as_a_read_of_personal_data(client: Any, db: Session) -> None:
    from mamori.core.audit import entries_for

    make_service(db)
    case = file(client)
    auditor = staff_headers(db, ["auditor"])
    client.get(f"/api/v1/cases/{case['id']}", headers=auditor)
    reads = [e for e in entries_for(db, "case", case["id"]) if e.action == "personal_data.read"]
    assert reads and all(e.personal_data and e.actor.startswith("user:") for e in reads)
