"""The JSON routes: uploads need evidence.capture; items, reports and the ledger check need evidence.read."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image
from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.auth import create_api_token, create_user
from mamori.core.clock import FixedClock


def token_for(db: Session, clock: FixedClock, role: str) -> dict[str, str]:
    user = create_user(
        f"{role}@example.jp", role, [role], "correct horse battery", db=db, at=clock.now(), by=Actor.system()
    )
    token = create_api_token(user, db=db, at=clock.now())
    db.flush()
    return {"Authorization": f"Bearer {token}"}


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 120, 0)).save(buf, format="PNG")
    return buf.getvalue()


def test_a_counsellor_uploads_and_lists_evidence_then_gets_the_report(
    client: Any, db: Session, clock: FixedClock
) -> None:
    headers = token_for(db, clock, "counsellor")
    form = {"owner_type": "consultation", "owner_id": "c-1", "reason": "相談者が保存"}
    created = client.post(
        "/api/v1/evidence/uploads", data=form, files={"file": ("s.png", png(), "image/png")}, headers=headers
    )
    assert created.status_code == 201, created.text
    item = created.json()
    listed = client.get(
        "/api/v1/evidence/items", params={"owner_type": "consultation", "owner_id": "c-1"}, headers=headers
    ).json()
    assert [i["sha256"] for i in listed["items"]] == [item["sha256"]]
    pdf = client.get(
        "/api/v1/evidence/report", params={"owner_type": "consultation", "owner_id": "c-1"}, headers=headers
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    download = client.get(f"/api/v1/evidence/items/{item['id']}/download", headers=headers)
    assert download.content == png()
    assert client.get("/api/v1/evidence/ledger/verify", headers=headers).json() == {
        "intact": True,
        "problems": [],
    }


def test_an_auditor_may_read_but_not_upload(client: Any, db: Session, clock: FixedClock) -> None:
    headers = token_for(db, clock, "auditor")
    form = {"owner_type": "case", "owner_id": "x"}
    refused = client.post(
        "/api/v1/evidence/uploads", data=form, files={"file": ("s.png", png(), "image/png")}, headers=headers
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/evidence/items", params=form, headers=headers).status_code == 200


def test_a_capture_of_a_loopback_address_is_refused_by_default(
    client: Any, db: Session, clock: FixedClock
) -> None:
    headers = token_for(db, clock, "counsellor")
    body = {"owner_type": "case", "owner_id": "x", "url": "http://127.0.0.1:9/secret"}
    refused = client.post("/api/v1/evidence/captures", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.json()["error"] == "evidence_address_refused"
