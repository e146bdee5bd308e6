"""A published report is frozen: a later change to a case shows as a dated correction beside it, never as
a silent rewrite; the public page lists both with their machine-readable data."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import jsonschema
import pytest
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.criteria.model import Measure
from mamori.transparency import model, render, service, store
from tests.transparency.support import Builder, build_year, jst

LEGAL = Actor("user:legal", frozenset({"legal_officer"}))
AUDITOR = Actor("user:auditor", frozenset({"auditor"}))


def refused(code: str, action: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        action()
    assert caught.value.code == code
    return caught.value


def test_a_change_after_publication_is_a_dated_correction_and_the_report_stays_as_published(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    year = build_year(db, settings, clock, session_factory)
    refused(
        "year_not_over",
        lambda: service.publish(2026, db=db, at=jst(2027, 3, 31, 23, 59, 59), by=LEGAL),
    )
    refused("forbidden", lambda: service.publish(2026, db=db, at=clock.now(), by=AUDITOR))
    service.write_self_evaluation(
        2026, "期間内の通知率は目標に届かなかった。", "We missed our target.", db=db, at=clock.now(), by=LEGAL
    )
    first = service.publish(2026, db=db, at=clock.now(), by=LEGAL)
    assert first.edition == 1 and not first.is_correction
    assert first.figures["self_evaluation"]["ja"] == "期間内の通知率は目標に届かなかった。"
    published_text = store.editions(db, 2026)[0].figures
    assert first.sha256 == hashlib.sha256(published_text.encode()).hexdigest()
    refused("report_unchanged", lambda: service.publish(2026, db=db, at=clock.now(), by=LEGAL))

    # after the year: the open appeal is ruled (reversed) and the overdue request answered
    b = Builder(db, settings, clock, session_factory)
    specialist_b = year.specialists[1].actor()
    b.rule(year.open_appeal_case, jst(2027, 5, 10, 9), Measure.NO_ACTION, specialist_b)
    b.decide(year.unanswered_case, jst(2027, 5, 10, 10), Measure.NO_ACTION, year.specialists[0].actor())
    b.deliver()
    clock.set(jst(2027, 6, 1, 9))
    pending = service.pending_changes(2026, db=db, at=clock.now())
    assert pending is not None
    changed = {c["path"]: (c["was"], c["now"]) for c in pending}
    assert changed["appeals.ruled"] == (2, 3) and changed["appeals.reversed"] == (1, 2)
    assert changed["response_time.overdue_unanswered"] == (2, 1)  # the other: the last case

    second = service.publish(2026, db=db, at=clock.now(), by=LEGAL)
    assert second.edition == 2 and second.is_correction and second.published_at == jst(2027, 6, 1, 9)
    assert {c["path"] for c in second.changes} == set(changed)
    # the first edition is exactly as published: same text, same hash
    rows = store.editions(db, 2026)
    assert rows[0].figures == published_text and rows[0].sha256 == first.sha256
    assert rows[1].corrects == rows[0].id
    assert json.loads(rows[0].figures)["appeals"]["ruled"] == 2
    assert json.loads(rows[1].figures)["appeals"]["ruled"] == 3

    db.flush()
    for lang, heading in (
        ("ja", "2027年6月1日 09:00:00 (日本時間) の訂正"),
        ("en", "Correction of 2027-06-01 09:00:00 JST"),
    ):
        page = client.get(f"/transparency?lang={lang}")
        assert page.status_code == 200
        assert heading in page.text and "appeals.ruled" in page.text
    frozen = client.get("/transparency/2026/1.json")
    assert frozen.status_code == 200
    assert hashlib.sha256(frozen.content).hexdigest() == first.sha256
    jsonschema.validate(frozen.json(), client.get("/transparency/schema.json").json())
    assert frozen.json()["appeals"]["ruled"] == 2
    document = client.get("/transparency/2026/1.html?lang=en")
    assert "Correction — 2027-06-01T09:00:00+09:00" in document.text
    csv_text = client.get("/transparency/2026/2.csv").text
    assert "appeals.ruled,3" in csv_text
    assert client.get("/transparency/2026/3.json").status_code == 404
    assert client.get("/transparency/2026/1.exe").status_code == 404


def test_the_self_evaluation_is_bounded_and_kept_with_the_figures(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    refused(
        "evaluation_required",
        lambda: service.write_self_evaluation(2026, "  ", "x", db=db, at=clock.now(), by=LEGAL),
    )
    refused(
        "too_long",
        lambda: service.write_self_evaluation(
            2026, "あ" * (service.MAX_EVALUATION + 1), "", db=db, at=clock.now(), by=LEGAL
        ),
    )
    refused(
        "bad_year", lambda: service.write_self_evaluation(1999, "評価", "", db=db, at=clock.now(), by=LEGAL)
    )
    refused(
        "forbidden",
        lambda: service.write_self_evaluation(2026, "評価", "", db=db, at=clock.now(), by=AUDITOR),
    )
    assert store.self_evaluation(db, 2026) is None
    service.write_self_evaluation(2026, "自己評価です。", "Our evaluation.", db=db, at=clock.now(), by=LEGAL)
    figures = service.compute(2026, db=db, at=clock.now())
    assert figures["self_evaluation"]["ja"] == "自己評価です。"
    assert figures["self_evaluation"]["en"] == "Our evaluation."
    jsonschema.validate(figures, render.schema())


def test_a_changed_figure_is_listed_with_both_values() -> None:
    before = {"computed_at": "x", "requests": {"total": 3, "by_service": [{"service": "a", "count": 3}]}}
    after = {"computed_at": "y", "requests": {"total": 4, "by_service": [{"service": "a", "count": 4}]}}
    assert model.changes(before, after) == [
        {"path": "requests.by_service[a].count", "was": 3, "now": 4},
        {"path": "requests.total", "was": 3, "now": 4},
    ]
    assert model.changes(before, {**before, "computed_at": "later"}) == []
