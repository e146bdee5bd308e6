"""Route × role for disclosure (the legal officer yes; specialist, administrator, auditor 403), the
pages in ja and en with errors beside their fields, and bad input refused field by field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.disclosure import store
from tests.disclosure.support import request_body, seed_poster_logs
from tests.factories import make_staff

READS = ["/disclosure", "/disclosure/providers", "/api/v1/disclosure/matters", "/api/v1/disclosure/providers"]
WRITES = [
    ("/api/v1/disclosure/requests", {}),
    ("/api/v1/disclosure/orders", {}),
    ("/api/v1/disclosure/providers", {"name": "x", "address": "y", "ranges": ["192.0.2.0/24"]}),
]


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    return {
        role: make_staff(db, [role], f"{role}@disc.example.com")[1]
        for role in ("legal_officer", "specialist", "administrator", "auditor")
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("role", ["specialist", "administrator", "auditor"])
def test_other_roles_are_refused_every_disclosure_route(
    client: Any, tokens: dict[str, str], role: str
) -> None:
    for path in [*READS, "/disclosure/orders/new"]:
        assert client.get(path, headers=bearer(tokens[role])).status_code == 403, path
    for path, body in WRITES:
        assert client.post(path, json=body, headers=bearer(tokens[role])).status_code == 403, path


def test_the_legal_officer_reads_and_writes(
    client: Any, db: Session, settings: Settings, clock: Any, tokens: dict[str, str]
) -> None:
    auth = bearer(tokens["legal_officer"])
    for path in [*READS, "/disclosure/orders/new"]:
        assert client.get(path, headers=auth).status_code == 200, path
    seed_poster_logs(db, settings, clock.now())
    db.flush()
    made = client.post("/api/v1/disclosure/requests", json=request_body(), headers=auth)
    assert made.status_code == 201
    for lang, heading in (("ja", "発信者情報開示請求"), ("en", "Disclosure request")):
        page = client.get(f"/disclosure/matters/{made.json()['id']}?lang={lang}", headers=auth)
        assert page.status_code == 200 and heading in page.text
        queue = client.get(f"/disclosure?lang={lang}", headers=auth)
        assert made.json()["number"] in queue.text


def test_a_request_missing_required_items_is_refused_field_by_field(
    client: Any, db: Session, tokens: dict[str, str]
) -> None:
    body = request_body(clear_reason="", purposes=[], items=[], responsibility_acknowledged=False)
    del body["withheld_from_poster"]
    answer = client.post("/api/v1/disclosure/requests", json=body, headers=bearer(tokens["legal_officer"]))
    assert answer.status_code == 422
    detail = {d["field"]: d["message"] for d in answer.json()["detail"]}
    assert {
        "clear_reason",
        "purposes",
        "items",
        "withheld_from_poster",
        "responsibility_acknowledged",
    } <= set(detail)
    assert detail["clear_reason"]["ja"] == "権利侵害が明らかである理由を入力してください。"
    assert detail["clear_reason"]["en"] == "Enter the reason the infringement is clear."
    assert store.matters(db, open_only=False) == []


def test_an_access_provider_request_needs_ip_port_and_time(client: Any, tokens: dict[str, str]) -> None:
    body = request_body(provider_kind="access")
    answer = client.post("/api/v1/disclosure/requests", json=body, headers=bearer(tokens["legal_officer"]))
    assert answer.status_code == 422
    assert {"ip_address", "port", "sent_at"} <= {d["field"] for d in answer.json()["detail"]}


def csrf(client: Any) -> str:
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def test_the_order_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(
    client: Any, tokens: dict[str, str]
) -> None:
    auth = bearer(tokens["legal_officer"])
    assert client.get("/disclosure/orders/new?lang=en", headers=auth).status_code == 200
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=400)).isoformat()
    answer = client.post(
        "/disclosure/orders?lang=en",
        data={
            "kind": "disclosure_order",
            "court": "",
            "case_number": "令和8年(ヒ)第1号",
            "served_at": future,
            "post_id": "post-9",
            "csrf_token": csrf(client),
        },
        headers=auth,
    )
    assert answer.status_code == 422
    assert re.search(r'id="f-court"[^>]*aria-invalid="true"', answer.text)
    assert 'id="err-court"' in answer.text and "Enter the court." in answer.text
    assert (
        'id="err-served_at"' in answer.text
        and 'id="err-items"' in answer.text
        and 'id="err-recipient"' in answer.text
    )
    assert 'value="令和8年(ヒ)第1号"' in answer.text


def test_a_step_refused_on_the_page_says_why_beside_the_form(
    client: Any, db: Session, settings: Settings, clock: Any, tokens: dict[str, str]
) -> None:
    auth = bearer(tokens["legal_officer"])
    seed_poster_logs(db, settings, clock.now())
    db.flush()
    made = client.post("/api/v1/disclosure/requests", json=request_body(), headers=auth).json()
    client.get("/disclosure?lang=ja", headers=auth)
    answer = client.post(
        f"/disclosure/matters/{made['id']}/act/decided?lang=ja",
        data={"grant": "yes", "csrf_token": csrf(client)},
        headers=auth,
    )
    assert answer.status_code == 409
    assert 'id="err-grant"' in answer.text and "6条1項" in answer.text


def test_a_bad_hearing_link_is_a_plain_404_page(client: Any) -> None:
    answer = client.get("/disclosure/hearing/not-a-real-key?lang=en")
    assert answer.status_code == 404 and "This link is not valid" in answer.text


def test_every_kind_of_matter_has_its_page_and_the_queue_puts_action_first(
    client: Any, db: Session, settings: Settings, clock: Any, tokens: dict[str, str]
) -> None:
    from mamori.disclosure import demo_data

    demo_data.load_demo(db, at=clock.now(), settings=settings)
    db.flush()
    auth = bearer(tokens["legal_officer"])
    queue = client.get("/api/v1/disclosure/matters", headers=auth).json()
    states = [i["clock"]["state"] for i in queue]
    # The disclosure order served 40 days ago is final (action due); the provision order waits for the
    # requester to be told (action due); the preservation order only waits.
    assert states == ["action_due", "action_due", "waiting"]
    assert queue[-1]["kind"] == "preservation_order"
    for item in queue:
        for lang in ("ja", "en"):
            page = client.get(f"/disclosure/matters/{item['id']}?lang={lang}", headers=auth)
            assert page.status_code == 200
            assert 'name="csrf_token"' in page.text
    provision = next(i for i in queue if i["kind"] == "provision_order")
    page = client.get(f"/disclosure/matters/{provision['id']}?lang=ja", headers=auth)
    assert "【デモ】サンプル光" in page.text and "経由プロバイダの氏名等を申立人に提供する" in page.text
