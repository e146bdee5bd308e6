"""Statements of reasons in the EU DSA Transparency Database format: one per restricting decision, each
checked against the database's published field rules (required fields, allowed values, lengths, formats)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.decisions.store import DecisionRow
from mamori.requests.store import CaseRow
from mamori.transparency import model, service
from tests.factories import make_staff
from tests.transparency.support import build_year, jst

AUDITOR = Actor("user:auditor", frozenset({"auditor"}))


def good() -> dict[str, Any]:
    return model.statement_of_reasons(
        decision_id="0123abcd",
        measure="remove",
        rights=["名誉権", "プライバシー"],
        source="web",
        decided_at=jst(2026, 6, 1, 23, 30),
        received_at=jst(2026, 5, 30, 9),
        decided_by_person=True,
        criteria_version="2026.1",
        clause_code="2.1",
        clause_title_en="Posts lowering a person's standing",
        reason="根拠のない事実の摘示で、社会的評価を低下させるため。",
        criteria_url="https://platform.example/criteria",
    )


def test_a_statement_follows_the_databases_rules() -> None:
    sor = good()
    assert model.statement_errors(sor) == []
    assert sor["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_REMOVED"]
    assert sor["category"] == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert sor["category_addition"] == ["STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"]
    assert sor["application_date"] == "2026-06-01"  # the JST day, not the UTC one
    assert (
        sor["source_type"] == "SOURCE_ARTICLE_16"
        and sor["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    )
    assert (
        sor["incompatible_content_ground"]
        == "Removal criteria 2026.1, clause 2.1: Posts lowering a person's standing"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"decision_ground": None}, "decision_ground: required"),
        ({"decision_visibility": None}, "one of decision_visibility"),
        (
            {"decision_visibility": ["DECISION_VISIBILITY_GONE"]},
            "decision_visibility: 'DECISION_VISIBILITY_GONE'",
        ),
        ({"source_type": "SOURCE_TRUSTED_NOTIFIER"}, "source_type: 'SOURCE_TRUSTED_NOTIFIER'"),
        ({"automated_decision": "No"}, "automated_decision: 'No'"),
        ({"category": "STATEMENT_CATEGORY_DEFAMATION"}, "category: 'STATEMENT_CATEGORY_DEFAMATION'"),
        ({"puid": "case.1"}, "puid: only letters"),
        ({"application_date": "2026-6-1"}, "application_date: not YYYY-MM-DD"),
        ({"application_date": "2019-12-31"}, "application_date: outside"),
        ({"content_date": "01/06/2026"}, "content_date: not YYYY-MM-DD"),
        ({"decision_facts": "x" * 5001}, "decision_facts: longer than 5000"),
        ({"incompatible_content_explanation": ""}, "incompatible_content_explanation: required"),
        ({"illegal_content_legal_ground": "刑法230条"}, "illegal_content_legal_ground: only with"),
        ({"content_type": ["CONTENT_TYPE_OTHER"]}, "content_type_other: required"),
        ({"source_type": "SOURCE_VOLUNTARY", "source_identity": "x"}, "source_identity: not given"),
    ],
)
def test_a_statement_breaking_a_rule_is_refused_naming_it(change: dict[str, Any], message: str) -> None:
    sor = {**good(), **change}
    assert any(message in e for e in model.statement_errors(sor)), model.statement_errors(sor)


def test_no_statement_for_a_decision_that_restricted_nothing() -> None:
    with pytest.raises(ValueError, match="no_action"):
        model.statement_of_reasons(**{**_args(), "measure": "no_action"})


def _args() -> dict[str, Any]:
    return {
        "decision_id": "a",
        "measure": "remove",
        "rights": [],
        "source": "web",
        "decided_at": jst(2026, 6, 1),
        "received_at": jst(2026, 6, 1),
        "decided_by_person": True,
        "criteria_version": "1",
        "clause_code": None,
        "clause_title_en": "",
        "reason": "理由は十分な長さです。",
        "criteria_url": "",
    }


def test_the_export_has_one_valid_statement_per_restricting_decision_of_the_period(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    year = build_year(db, settings, clock, session_factory)
    start, end = model.reporting_period(2026)
    criteria_url = f"{settings.base_url.rstrip('/')}/criteria"
    found = service.statements(start, end, db=db, at=clock.now(), by=AUDITOR, criteria_url=criteria_url)
    restricting = [
        d for d in db.scalars(select(DecisionRow)) if start <= d.decided_at < end and d.measure != "no_action"
    ]
    assert sorted(s["puid"] for s in found) == sorted(d.id for d in restricting) and len(found) >= 8
    assert all(model.statement_errors(s) == [] for s in found)
    measures = {d.id: d.measure for d in restricting}
    for sor in found:
        field, value = model.MEASURE_FIELDS[measures[sor["puid"]]]
        assert sor[field] == value
    by_case = {d.id: db.get(CaseRow, d.case_id) for d in restricting}
    court = next(s for s in found if by_case[s["puid"]].id == year.cases["court"])  # type: ignore[union-attr]
    assert court["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"
    assert court["category"] == "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"  # 肖像権 first
    with pytest.raises(DomainError) as refused:
        service.statements(
            start, end, db=db, at=clock.now(), by=Actor("user:s", frozenset({"specialist"})), criteria_url=""
        )
    assert refused.value.code == "forbidden"

    _user, token = make_staff(db, ["auditor"], "auditor@statements.example")
    _user, other = make_staff(db, ["specialist"], "specialist@statements.example")
    answer = client.get(
        "/api/v1/transparency/statements?from=2026-04-01&to=2027-03-31",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["count"] == len(found)
    assert json.loads(json.dumps(answer.json()["statements"])) == found
    assert (
        client.get(
            "/api/v1/transparency/statements?from=2026-04-01&to=2027-03-31",
            headers={"Authorization": f"Bearer {other}"},
        ).status_code
        == 403
    )
    assert client.get("/api/v1/transparency/statements?from=2026-04-01&to=2027-03-31").status_code == 401
    backwards = client.get(
        "/api/v1/transparency/statements?from=2027-03-31&to=2026-04-01",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert backwards.status_code == 422 and backwards.json()["error"] == "bad_range"
