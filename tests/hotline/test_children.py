"""Reports about a child: from the child, a guardian or school staff; the child's consent from the consent
age (MAMORI_HOTLINE_CHILD_CONSENT_AGE); and of the child nothing kept but an age band and that consent."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.audit import AuditRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.hotline import service
from mamori.hotline.store import HotlineReporterRow, HotlineReportRow
from tests.hotline import support


def test_a_guardian_files_for_a_13_year_old_with_the_childs_consent(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    report, joined = service.file_report(
        support.guardian(), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
    )
    row = db.scalar(select(HotlineReporterRow).where(HotlineReporterRow.report_id == report.id))
    assert row is not None and not joined
    assert (row.filer, row.relation, row.child, row.child_age_band, row.child_consent) == (
        "guardian",
        "母",
        True,
        "12-14",
        True,
    )


def test_without_the_consent_of_a_child_old_enough_nothing_is_filed(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    with pytest.raises(DomainError) as refused:
        service.file_report(
            support.guardian(child_consent=False), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
        )
    assert refused.value.field == "child_consent" and "12" in refused.value.ja
    assert db.scalar(select(HotlineReportRow)) is None and db.scalar(select(HotlineReporterRow)) is None


def test_below_the_consent_age_the_adult_decides_and_consent_is_recorded_as_not_asked(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    report, _ = service.file_report(
        support.guardian(filer="school", relation="担任", child_age=9, child_consent=False),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.PUBLIC,
    )
    row = db.scalar(select(HotlineReporterRow).where(HotlineReporterRow.report_id == report.id))
    assert row is not None and (row.child_age_band, row.child_consent) == ("9-11", None)


def test_the_consent_age_is_the_operators_setting(db: Session, settings: Settings, clock: FixedClock) -> None:
    later = settings.model_copy(update={"hotline_child_consent_age": 15})
    service.file_report(
        support.guardian(child_consent=False), db=db, settings=later, at=clock.now(), by=support.PUBLIC
    )


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"child": False}, "child"),  # a guardian files only for a child
        ({"child_age": 18}, "child_age"),
        ({"child_age": None}, "child_age"),
        ({"relation": ""}, "relation"),
    ],
)
def test_guardian_and_school_reports_follow_the_rules(
    db: Session, settings: Settings, clock: FixedClock, over: dict[str, Any], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        service.file_report(
            support.guardian(**over), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
        )
    assert refused.value.field == field


def test_nothing_of_the_child_but_an_age_band_and_consent_is_stored(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    """The public form: a child's name or school sent anyway is not kept anywhere (the form has no such
    field), and the child's exact age is turned into a band before anything is written."""
    client.get("/hotline/report")
    token = str(client.cookies.get("mamori_csrf")).split(".")[0]
    answer = client.post(
        "/hotline/report",
        data={
            **support.form_data(child_age="13"),
            "csrf_token": token,
            "child_name": "山田一郎くん",
            "child_school": "〇〇中学校",
        },
    )
    assert answer.status_code == 200, answer.text
    reporter = db.scalar(select(HotlineReporterRow))
    assert reporter is not None
    columns = {c.name: getattr(reporter, c.key) for c in HotlineReporterRow.__table__.columns}
    assert (
        columns["child_age_band"] == "12-14" and 13 not in columns.values() and "13" not in columns.values()
    )
    sealer = service.sealer_for(settings)
    contact = sealer.open(reporter.contact_sealed, bound_to=f"hotline-reporter:{reporter.id}:contact")
    assert contact == {"name": "山田 良子", "email": "yoshiko@example.jp", "phone": ""}
    everything = " ".join(
        [str(v) for row in db.scalars(select(HotlineReportRow)) for v in row.__dict__.values()]
        + [str(v) for v in columns.values()]
        + [a.detail for a in db.scalars(select(AuditRow))]
    )
    assert "山田一郎" not in everything and "〇〇中学校" not in everything
