"""The opinion hearing end to end through the API, real mail and the poster's page: the requester's
withheld items never reach the poster; an objection followed by a 開示命令 makes the Art. 6(2) notice
due at once, and it stays due until the mail server has accepted it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.notices.delivery import deliver_due
from tests.disclosure.support import POSTER_EMAIL, REQUESTER_ADDRESS, request_body, seed_poster_logs
from tests.factories import make_staff
from tests.support.smtp import MailSink, body_text


def csrf(client: Any) -> str:
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def test_hearing_withholds_items_and_an_objection_makes_the_art_6_2_notice_due_until_sent(
    client: Any,
    db: Session,
    settings: Settings,
    clock: FixedClock,
    mail: MailSink,
    session_factory: sessionmaker[Session],
) -> None:
    _user, token = make_staff(db, ["legal_officer"], "legal@staff.example.com")
    auth = {"Authorization": f"Bearer {token}"}
    seed_poster_logs(db, settings, clock.now())
    db.flush()

    # The requester asked that their address and contact details not be shown to the poster.
    created = client.post("/api/v1/disclosure/requests", json=request_body(), headers=auth)
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["hold"] is True
    matter = client.get(f"/api/v1/disclosure/matters/{request['id']}", headers=auth).json()
    assert matter["clock"]["label"] == "Hear the poster (Art. 6(1))"

    assert client.post(f"/api/v1/disclosure/matters/{request['id']}/hearing", headers=auth).status_code == 201
    assert deliver_due(session_factory, settings, clock).sent == 1
    hearing_mail = mail.wait_for(1)[0]
    assert POSTER_EMAIL in str(hearing_mail["To"])
    text = body_text(hearing_mail)
    assert "山田花子（○○商事勤務）は会社の金を横領している" in text  # the post, as the request quotes it
    assert "山田 花子" in text  # the name was not withheld
    for withheld in (REQUESTER_ADDRESS, "hanako@example.jp", "03-1234-5678"):
        assert withheld not in text
    link = re.search(r"(/disclosure/hearing/[A-Za-z0-9_\-]+)", text)
    assert link is not None
    # Delivered: the window runs from the mail server's acceptance, before the poster opens anything.
    matter = client.get(f"/api/v1/disclosure/matters/{request['id']}", headers=auth).json()
    assert matter["clock"]["label"] == "Poster's answer due" and matter["clock"]["due_at"] is not None

    page = client.get(link.group(1) + "?lang=ja")
    assert page.status_code == 200
    assert "横領" in page.text and "山田 花子" in page.text
    for withheld in (REQUESTER_ADDRESS, "hanako@example.jp", "03-1234-5678"):
        assert withheld not in page.text
    matter = client.get(f"/api/v1/disclosure/matters/{request['id']}", headers=auth).json()
    assert matter["clock"]["label"] == "Poster's answer due"
    assert matter["hearings"][0]["ends_at"] is not None  # the window started on delivery

    # An objection needs its reasons; then it is recorded once and the link is spent.
    short = client.post(
        link.group(1) + "?lang=en", data={"choice": "object", "reason": "no", "csrf_token": csrf(client)}
    )
    assert short.status_code == 422 and "Write why you do not consent." in short.text
    answered = client.post(
        link.group(1),
        data={
            "choice": "object",
            "reason": "事実に基づく正当な批判であり、開示に同意しません。",
            "csrf_token": csrf(client),
        },
    )
    assert answered.status_code == 200
    assert client.get(link.group(1)).status_code == 404

    # The court orders disclosure: the objecting poster must be told without delay (Art. 6(2)).
    order = client.post(
        "/api/v1/disclosure/orders",
        json={
            "kind": "disclosure_order",
            "court": "東京地方裁判所",
            "case_number": "令和8年(ヒ)第77号",
            "served_at": clock.now().isoformat(),
            "related": request["number"],
            "items": ["name", "address"],
            "recipient": "弁護士 甲野一郎",
        },
        headers=auth,
    )
    assert order.status_code == 201, order.text
    queue = client.get("/api/v1/disclosure/matters", headers=auth).json()
    assert queue[0]["id"] == order.json()["id"]
    assert queue[0]["clock"] == {
        "state": "action_due",
        "label": "Tell the objecting poster (Art. 6(2))",
        "due_at": queue[0]["clock"]["due_at"],
    }
    page = client.get("/disclosure?lang=en", headers=auth)
    assert "Tell the objecting poster (Art. 6(2))" in page.text

    assert deliver_due(session_factory, settings, clock).sent == 1
    notice = mail.wait_for(2)[1]
    assert POSTER_EMAIL in str(notice["To"]) and "令和8年(ヒ)第77号" in body_text(notice)
    after = client.get(f"/api/v1/disclosure/matters/{order.json()['id']}", headers=auth).json()
    assert after["poster_notice"] == "sent"
    assert after["clock"]["label"] == "Objection suit period ends"
    assert (
        "事実に基づく正当な批判"
        in client.get(f"/api/v1/disclosure/matters/{request['id']}", headers=auth).text
    )


def test_a_consenting_poster_is_not_sent_the_art_6_2_notice(
    client: Any,
    db: Session,
    settings: Settings,
    clock: FixedClock,
    mail: MailSink,
    session_factory: sessionmaker[Session],
) -> None:
    _user, token = make_staff(db, ["legal_officer"], "legal@staff.example.com")
    auth = {"Authorization": f"Bearer {token}"}
    seed_poster_logs(db, settings, clock.now())
    db.flush()
    request = client.post("/api/v1/disclosure/requests", json=request_body(), headers=auth).json()
    client.post(f"/api/v1/disclosure/matters/{request['id']}/hearing", headers=auth)
    deliver_due(session_factory, settings, clock)
    link = re.search(r"(/disclosure/hearing/[A-Za-z0-9_\-]+)", body_text(mail.wait_for(1)[0]))
    assert link is not None
    client.get(link.group(1))
    assert (
        client.post(
            link.group(1), data={"choice": "consent", "reason": "", "csrf_token": csrf(client)}
        ).status_code
        == 200
    )
    # Granting is now possible (the poster was heard), and the package holds only what was requested.
    assert (
        client.post(
            f"/api/v1/disclosure/matters/{request['id']}/decision", json={"grant": True}, headers=auth
        ).status_code
        == 200
    )
    made = client.post(f"/api/v1/disclosure/matters/{request['id']}/package", json={}, headers=auth)
    assert made.status_code == 200
    items = made.json()["package"]["items"]
    assert set(items) == {"name", "address", "email", "ip_port", "timestamp"}  # iccid requested, not held
    assert made.json()["package"]["not_held"] == ["iccid"]
    again = client.post(f"/api/v1/disclosure/matters/{request['id']}/package", json={}, headers=auth)
    assert again.status_code == 409 and again.json()["detail"][0]["field"] == "repeat_reason"


def test_granting_before_the_poster_was_heard_is_refused(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    _user, token = make_staff(db, ["legal_officer"], "legal@staff.example.com")
    auth = {"Authorization": f"Bearer {token}"}
    seed_poster_logs(db, settings, clock.now())
    db.flush()
    request = client.post("/api/v1/disclosure/requests", json=request_body(), headers=auth).json()
    refused = client.post(
        f"/api/v1/disclosure/matters/{request['id']}/decision", json={"grant": True}, headers=auth
    )
    assert refused.status_code == 409
    assert "Art. 6(1)" in refused.json()["message"]["en"] and "6条1項" in refused.json()["message"]["ja"]
