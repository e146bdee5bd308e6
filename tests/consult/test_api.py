"""JSON routes: the embeddable tree, rights suggestion, records by role."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from tests.consult.factories import csrf, signed_in


def test_the_whole_tree_is_served_as_json(client: Any) -> None:
    tree = client.get("/api/v1/triage/tree").json()
    assert tree["start"] == "danger"
    leaves = {n["id"]: n["recommend"] for n in tree["nodes"].values() if n["kind"] == "result"}
    assert leaves["sia"] == ["sia-hotline"] and leaves["moj"] == ["moj-jinken"]
    for node in tree["nodes"].values():
        for answer in node.get("answers", []):
            assert answer["next"] in tree["nodes"]
            assert answer["label"]["ja"] and answer["label"]["en"]
    for recommend in leaves.values():
        assert all(body in tree["bodies"] for body in recommend)
    assert tree["bodies"]["moj-jinken"]["reach"][0]["href"] == "tel:0570003110"
    assert {"body": "trusted-adult", "when": "minor"} in tree["always"]


def test_service_guides_are_served_as_json(client: Any) -> None:
    services = client.get("/api/v1/triage/services").json()["services"]
    assert services["5ch"]["designated"] is False and services["x"]["designated"] is True
    assert services["line"]["window"]["url"].startswith("https://")


def test_rights_are_suggested_from_the_abuse_detection(client: Any) -> None:
    answer = client.post(
        "/api/v1/triage/rights", json={"text": "あいつは前科者の詐欺師だ、みんな気をつけろ"}
    ).json()
    assert answer["detection_available"] is True
    assert "名誉権" in [r["right"] for r in answer["rights"]]
    assert client.post("/api/v1/triage/rights", json={"text": ""}).json()["rights"] == []


def test_records_need_sign_in_and_the_right_role(client: Any, db: Session, clock: FixedClock) -> None:
    body = {"channel": "phone", "categories": ["insult"], "service": "x", "summary": "毎日中傷される"}
    assert client.post("/api/v1/consultations", json=body).status_code == 401
    signed_in(client, db, "reviewer", at=clock.now())
    headers = {"X-CSRF-Token": csrf(client)}
    assert client.post("/api/v1/consultations", json=body, headers=headers).status_code == 403


def test_a_counsellor_records_reads_and_refers(client: Any, db: Session, clock: FixedClock) -> None:
    signed_in(client, db, "counsellor", at=clock.now())
    headers = {"X-CSRF-Token": csrf(client)}
    body = {
        "channel": "web",
        "categories": ["privacy"],
        "service": "bakusai",
        "summary": "住所を晒された",
        "contact": {"email": "person@example.jp"},
        "contact_consent": True,
    }
    created = client.post("/api/v1/consultations", json=body, headers=headers)
    assert created.status_code == 201, created.text
    record_id = created.json()["id"]
    assert created.json()["anonymous"] is False and "content" not in created.json()
    read = client.get(f"/api/v1/consultations/{record_id}").json()
    assert read["content"]["contact"]["email"] == "person@example.jp"
    refused = client.post(
        f"/api/v1/consultations/{record_id}/referral",
        json={"body": "moj-jinken", "consent": False},
        headers=headers,
    )
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "consent"
    referred = client.post(
        f"/api/v1/consultations/{record_id}/referral",
        json={"body": "moj-jinken", "consent": True},
        headers=headers,
    )
    assert referred.json()["referral"] == "moj-jinken"
    stats = client.get("/api/v1/consultations-stats").json()
    assert stats["total"] == 1 and stats["by"]["referral"] == {"moj-jinken": 1}
    csv_text = client.get("/api/v1/consultations-stats.csv").text
    assert "referral,moj-jinken,法務省「人権相談」（法務局）,1" in csv_text
    # A counsellor may not honour deletion requests: that is the supervisor's (consult.manage).
    assert (
        client.post(f"/api/v1/consultations/{record_id}/deletion-request", headers=headers).status_code == 403
    )
