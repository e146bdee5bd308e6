"""The JSON routes: uploads need evidence.capture; items, reports and the ledger check need evidence.read
(which case's or consultation's evidence: tests/evidence/test_access_api.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from tests.evidence.factories import a_case, a_consultation, person, png


def test_a_counsellor_uploads_and_lists_evidence_then_gets_the_report(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    counsellor = person(db, "counsellor", clock.now())
    record = a_consultation(db, counsellor.principal, settings, clock.now())
    owner = {"owner_type": "consultation", "owner_id": record}
    created = client.post(
        "/api/v1/evidence/uploads",
        data={**owner, "reason": "相談者が保存"},
        files={"file": ("s.png", png(), "image/png")},
        headers=counsellor.headers,
    )
    assert created.status_code == 201, created.text
    item = created.json()
    listed = client.get("/api/v1/evidence/items", params=owner, headers=counsellor.headers).json()
    assert [i["sha256"] for i in listed["items"]] == [item["sha256"]]
    pdf = client.get("/api/v1/evidence/report", params=owner, headers=counsellor.headers)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert f"evidence-consultation-{record}.pdf" in pdf.headers["content-disposition"]
    download = client.get(f"/api/v1/evidence/items/{item['id']}/download", headers=counsellor.headers)
    assert download.content == png()
    assert "filename*=UTF-8''s.png" in download.headers["content-disposition"]
    assert client.get("/api/v1/evidence/ledger/verify", headers=counsellor.headers).json() == {
        "intact": True,
        "problems": [],
    }


def test_an_auditor_may_read_but_not_upload(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    auditor = person(db, "auditor", clock.now())
    form = {"owner_type": "case", "owner_id": a_case(db, settings, clock.now())}
    refused = client.post(
        "/api/v1/evidence/uploads",
        data=form,
        files={"file": ("s.png", png(), "image/png")},
        headers=auditor.headers,
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/evidence/items", params=form, headers=auditor.headers).status_code == 200


def test_a_capture_of_a_loopback_address_is_refused_by_default(
    client: Any, db: Session, clock: FixedClock, settings: Settings
) -> None:
    specialist = person(db, "specialist", clock.now())
    body = {
        "owner_type": "case",
        "owner_id": a_case(db, settings, clock.now()),
        "url": "http://127.0.0.1:9/secret",
    }
    refused = client.post("/api/v1/evidence/captures", json=body, headers=specialist.headers)
    assert refused.status_code == 422
    assert refused.json()["error"] == "evidence_address_refused"
