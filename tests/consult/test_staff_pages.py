"""The counsellors' pages: sign-in required, record by form, read audited, counts and charts."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.consult import store
from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from tests.consult.factories import csrf, signed_in


def test_staff_pages_send_visitors_to_sign_in(client: Any) -> None:
    for path in ("/consult/records", "/consult/records/new", "/consult/dashboard", "/consult/dashboard.csv"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), path


def test_a_platform_reviewer_may_not_see_consultations(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, "reviewer", at=clock.now())
    assert client.get("/consult/records").status_code == 403


def test_a_counsellor_records_by_form_and_sees_it_counted(
    client: Any, db: Session, clock: FixedClock
) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    form = {
        "csrf_token": csrf(client),
        "channel": "phone",
        "categories": ["insult", "threat"],
        "service": "x",
        "summary": "DMで脅された",
        "advice": "警察への相談を案内",
    }
    created = client.post("/consult/records", data=form, follow_redirects=False)
    assert created.status_code == 303, created.text
    record_url = created.headers["location"]
    page = client.get(record_url)
    assert "DMで脅された" in page.text and "匿名" in page.text
    assert f"/evidence?owner_type=consultation&amp;owner_id={record_url.rsplit('/', 1)[1]}" in page.text
    record_id = record_url.rsplit("/", 1)[1]
    reads = db.scalars(
        select(AuditRow).where(AuditRow.subject_id == record_id, AuditRow.action == "consult.read")
    )
    assert [r.personal_data for r in reads] == [True]
    referred = client.post(
        f"{record_url}/referral", data={"csrf_token": csrf(client), "body": "police-cyber", "consent": "true"}
    )
    assert referred.status_code == 200 and "同意記録" in referred.text
    dashboard = client.get("/consult/dashboard")
    assert re.search(r'id="total">1<', dashboard.text)
    assert "脅迫" in dashboard.text and "警察（最寄りの警察署" in dashboard.text
    chart = client.get("/consult/dashboard/category.png")
    assert chart.headers["content-type"] == "image/png" and chart.content.startswith(b"\x89PNG")
    row = db.get(store.ConsultationRow, record_id)
    assert row is not None and row.referral_body == "police-cyber"


def test_contact_details_without_consent_are_refused_on_the_form(
    client: Any, db: Session, clock: FixedClock
) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    form = {
        "csrf_token": csrf(client),
        "channel": "phone",
        "categories": ["insult"],
        "service": "x",
        "summary": "要約",
        "contact_phone": "090-0000-0000",
    }
    refused = client.post("/consult/records?lang=en", data=form)
    assert refused.status_code == 422 and "only with the person&#39;s consent" in refused.text


def test_a_supervisor_erases_on_request_and_the_count_stays(
    client: Any, db: Session, clock: FixedClock
) -> None:
    signed_in(client, db, "supervisor", at=clock.now())
    form = {
        "csrf_token": csrf(client),
        "channel": "mail",
        "categories": ["privacy"],
        "service": "5ch",
        "summary": "晒し",
    }
    record_url = client.post("/consult/records", data=form, follow_redirects=False).headers["location"]
    page = client.post(f"{record_url}/deletion-request", data={"csrf_token": csrf(client)})
    assert "晒し" not in page.text and "消去" in page.text
    assert "5ちゃんねる,1" in client.get("/consult/dashboard.csv").text
