"""Pile-ons: a burst of abusive replies to one account, far above its baseline, is found; the few
accounts behind it and the timeline are shown to reviewers with a chart; the protective measures offered
to the target are recorded and audited. Both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from mamori.reposts import store
from tests.factories import make_staff

ABUSE = ["死ね、消えろクズ", "バカじゃねーの？頭おかしい", "お前みたいなゴミは生きてる価値ない"]
KIND = ["素敵な写真ですね", "今日もお疲れさまでした", "応援しています！"]


def headers(db: Session, roles: list[str]) -> dict[str, str]:
    _user, token = make_staff(db, roles)
    return {"Authorization": f"Bearer {token}"}


def reply(n: int, target: str, author: str, at: dt.datetime, text: str) -> dict[str, Any]:
    return {"ref": f"r-{target}-{n}", "target": target, "author": author, "at": at.isoformat(), "text": text}


def send(client: Any, h: dict[str, str], replies: list[dict[str, Any]]) -> dict[str, Any]:
    response = client.post("/api/v1/reposts/stream", json={"replies": replies}, headers=h)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_burst_driven_by_a_few_accounts_is_found_with_its_drivers_and_timeline(
    client: Any, db: Session, clock: FixedClock
) -> None:
    h = headers(db, ["specialist"])
    now = clock.now()
    # the usual: a few kind replies a day and the odd rude one, for a week
    usual = [
        reply(
            i, "@target", f"fan{i % 7}", now - dt.timedelta(days=7) + dt.timedelta(hours=6 * i), KIND[i % 3]
        )
        for i in range(28)
    ] + [
        reply(100 + d, "@target", "grump", now - dt.timedelta(days=d, hours=3), ABUSE[1]) for d in range(1, 4)
    ]
    assert send(client, h, usual)["pileons"] == []
    # then, within 40 minutes: 24 abusive replies, 20 of them from three accounts
    burst = [
        reply(
            200 + i,
            "@target",
            ["troll-a", "troll-b", "troll-c"][i % 3] if i < 20 else f"drive-by{i}",
            now - dt.timedelta(minutes=40) + dt.timedelta(minutes=i * 1.5),
            ABUSE[i % 3],
        )
        for i in range(24)
    ]
    report = send(client, h, [*burst, reply(300, "@other", "fan1", now, KIND[0])])
    assert report["stored"] == 25 and report["abusive"] >= 20
    (pileon_id,) = report["pileons"]
    assert send(client, h, burst[:5])["stored"] == 0  # a replayed batch is not counted twice

    listed = client.get("/api/v1/reposts/pileons", headers=h).json()["pileons"]
    assert [p["target"] for p in listed] == ["@target"]
    seen = client.get(f"/api/v1/reposts/pileons/{pileon_id}", headers=h).json()
    drivers = [d["account"] for d in seen["drivers"]]
    assert set(drivers) <= {"troll-a", "troll-b", "troll-c"} and len(drivers) == 3
    assert seen["accounts"] >= 4 and seen["abusive_replies"] >= 20
    assert seen["baseline_per_window"] < 1
    assert sum(b["abusive"] for b in seen["timeline"]) >= 20
    read = db.scalar(select(AuditRow).where(AuditRow.action == "pileon.read"))
    assert read is not None and read.personal_data


def test_an_account_that_always_gets_many_abusive_replies_is_not_a_new_pile_on(
    client: Any, db: Session, clock: FixedClock
) -> None:
    h = headers(db, ["specialist"])
    now = clock.now()
    steady = [
        reply(
            i,
            "@celebrity",
            f"user{i}",
            now - dt.timedelta(days=3) + dt.timedelta(minutes=10 * i),
            ABUSE[i % 3],
        )
        for i in range(3 * 24 * 6)
    ]
    for start in range(0, len(steady), 400):
        report = send(client, h, steady[start : start + 400])
    assert report["pileons"] == []  # about six an hour, every hour: its baseline, not a burst


def test_protective_measures_are_chosen_from_the_operators_list_and_recorded(
    client: Any, db: Session, clock: FixedClock
) -> None:
    h = headers(db, ["specialist"])
    now = clock.now()
    burst = [
        reply(
            i, "@t2", f"troll{i % 2}", now - dt.timedelta(minutes=30) + dt.timedelta(minutes=i), ABUSE[i % 3]
        )
        for i in range(15)
    ]
    (pileon_id,) = send(client, h, burst)["pileons"]
    url = f"/api/v1/reposts/pileons/{pileon_id}/measures"
    refused = client.post(url, json={"measures": ["delete_the_trolls"]}, headers=h)
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "measures"
    auditor = headers(db, ["auditor"])  # reads everything, changes nothing
    assert client.get(f"/api/v1/reposts/pileons/{pileon_id}", headers=auditor).status_code == 200
    assert client.post(url, json={"measures": ["limit_replies"]}, headers=auditor).status_code == 403
    chosen = client.post(url, json={"measures": ["mute_mentions_24h", "limit_replies"]}, headers=h)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["status"] == "offered"
    assert client.post(url, json={"measures": ["limit_replies"]}, headers=h).status_code == 409
    row = db.get(store.PileonRow, pileon_id)
    assert row is not None and row.status == "offered"
    assert row.measures == '["limit_replies", "mute_mentions_24h"]'  # in the operator's order
    recorded = db.scalar(select(AuditRow).where(AuditRow.action == "pileon.measures_offered"))
    assert recorded is not None and recorded.subject_id == pileon_id


def test_a_reply_without_a_time_zone_is_refused(client: Any, db: Session) -> None:
    h = headers(db, ["specialist"])
    bad = {"ref": "r1", "target": "@t", "author": "a", "at": "2026-04-01T10:00:00", "text": "x"}
    assert client.post("/api/v1/reposts/stream", json={"replies": [bad]}, headers=h).status_code == 422
    assert db.scalar(select(store.ReplyRow)) is None
