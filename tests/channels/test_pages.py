"""The pages: a body's member sees its requests; the administrator registers a body and issues a key
shown once; reviewers see each body's record of unfounded requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.channels import service
from mamori.channels.store import ChannelMemberRow
from mamori.core.auth import UserRow
from mamori.core.clock import FixedClock
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from tests.channels import support
from tests.workspace.support import PASSWORD, SYSTEM, staff


def test_a_member_signs_in_and_sees_the_bodys_requests(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    slug = support.body(db, clock.now())
    token, _ = support.key(db, clock.now(), slug)
    sent = client.post(
        "/api/v1/channels/requests", json=support.request_json(), headers={"Authorization": f"Bearer {token}"}
    ).json()
    member = service.add_member(
        slug, "officer@moj.example", "人権擁護 担当", PASSWORD, db=db, at=clock.now(), by=support.ADMIN
    )
    client.cookies.clear()
    support.sign_in(client, db, member.id, clock.now())
    page = client.get("/channels?lang=en")
    assert page.status_code == 200
    assert sent["receipt_number"] in page.text and "東法人第123号" in page.text and "Received" in page.text
    # the member's web sign-in reaches the same API, with every scope
    assert [r["id"] for r in client.get("/api/v1/channels/requests").json()] == [sent["id"]]


def test_the_administrator_registers_a_body_and_sees_its_key_once(
    client: Any, db: Session, clock: FixedClock
) -> None:
    admin = staff(db, "admin@platform.test", ["administrator"])
    support.sign_in(client, db, admin.id, clock.now())
    token = support.csrf(client, "/channels/admin")
    added = client.post(
        "/channels/admin/bodies",
        data={
            "csrf_token": token,
            "slug": "sia",
            "name": "誹謗中傷ホットライン",
            "kind": "hotline",
            "contact_email": "notice@sia.example",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    issued = client.post(
        "/channels/admin/bodies/sia/keys",
        data={"csrf_token": token, "scopes": ["requests:submit", "requests:read"]},
    )
    assert issued.status_code == 200 and 'id="new-key">mmr_' in issued.text
    assert "mmr_" not in client.get("/channels/admin").text  # never shown again
    member = client.post(
        "/channels/admin/bodies/sia/members",
        data={
            "csrf_token": token,
            "email": f"desk-{admin.id[:6]}@sia.example",
            "display_name": "窓口",
            "password": PASSWORD,
        },
        follow_redirects=False,
    )
    assert member.status_code == 303
    user = db.query(UserRow).filter_by(email=f"desk-{admin.id[:6]}@sia.example").one()
    assert user.role_set == {"trusted_notifier"} and db.get(ChannelMemberRow, user.id) is not None
    refused = client.post(
        "/channels/admin/bodies",
        data={
            "csrf_token": token,
            "slug": "sia",
            "name": "x",
            "kind": "hotline",
            "contact_email": "a@b.example",
        },
    )
    assert refused.status_code == 422 and "sia" in refused.text


def test_reviewers_see_each_bodys_unfounded_requests(client: Any, db: Session, clock: FixedClock) -> None:
    support.platform(db)
    slug = support.body(db, clock.now())
    token, _ = support.key(db, clock.now(), slug)
    sent = client.post(
        "/api/v1/channels/requests", json=support.request_json(), headers={"Authorization": f"Bearer {token}"}
    ).json()
    decisions.decide(
        _case(db, sent),
        decisions.DecisionInput(
            Measure.NO_ACTION, "2026.1", None, "公共の利害に関する事実の摘示であり、削除しません。"
        ),
        db=db,
        settings=client.app.state.settings,
        at=clock.now(),
        by=SYSTEM,
    )
    reviewer = staff(db, "reviewer@platform.test", ["reviewer"])
    support.sign_in(client, db, reviewer.id, clock.now())
    records = service.body_records(db=db, by=SYSTEM)
    assert [(r.slug, r.sent, r.decided, r.unfounded) for r in records] == [(slug, 1, 1, 1)]
    page = client.get("/channels/record?lang=en")
    assert page.status_code == 200 and "東京法務局" in page.text


def _case(db: Session, sent: dict[str, Any]) -> str:
    from mamori.requests import service as requests

    case = requests.case_by_receipt(db, sent["receipt_number"])
    assert case is not None
    return case.id
