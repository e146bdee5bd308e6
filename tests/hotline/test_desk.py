"""The desk: identical reports are one case, reporters are rate-limited, the criteria are recorded one by
one with the reason when a report does not qualify, each reporter's record is visible, a platform abroad
gets a letter by real SMTP, and the figures the hotline publishes add up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.hotline import council_export, model, service
from mamori.hotline.figures import chart_png, figures_csv
from mamori.requests.jobs import deliver_notices
from tests.hotline import support
from tests.support.smtp import MailSink

QUALIFIES = model.Assessment(True, True, True, "クラスで特定できる生徒を侮辱し、孤立させる投稿。")


def letter_platform(db: Session, settings: Settings, clock: FixedClock, lang: str = "en") -> None:
    service.add_platform(
        service.NewPlatform(
            "abroad", "Abroad Social Inc.", "letter", contact_email="legal@abroad.example", lang=lang
        ),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.DESK,
    )


def test_identical_reports_become_one_case_with_every_contact_counted(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    url = support.unique_url()
    first, _ = service.file_report(
        support.form(content_url=url), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
    )
    for n, again_url in enumerate([url + "/", url.replace("https://sns", "https://SNS")]):
        again, joined = service.file_report(
            support.form(content_url=again_url, filer_email=f"other{n}@example.jp"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=support.PUBLIC,
        )
        assert joined and again.id == first.id
    assert first.contacts == 3
    view = service.read_report(first.id, db=db, settings=settings, at=clock.now(), by=support.DESK)
    assert len(view.reporters) == 3
    assert [r.id for r in service.list_reports(db=db, by=support.DESK)].count(first.id) == 1


def test_a_reporter_is_limited_per_day(db: Session, settings: Settings, clock: FixedClock) -> None:
    limited = settings.model_copy(update={"hotline_reports_per_reporter_per_day": 2})
    url9, email = support.unique_url(), f"limited-{support.unique_url()[12:20]}@example.jp"
    for _n in range(2):
        service.file_report(
            support.form(content_url=support.unique_url(), filer_email=email),
            db=db,
            settings=limited,
            at=clock.now(),
            by=support.PUBLIC,
        )
    with pytest.raises(DomainError) as refused:
        service.file_report(
            support.form(content_url=url9, filer_email=email),
            db=db,
            settings=limited,
            at=clock.now(),
            by=support.PUBLIC,
        )
    assert refused.value.status == 429
    clock.advance(days=1, seconds=1)
    service.file_report(
        support.form(content_url=url9, filer_email=email),
        db=db,
        settings=limited,
        at=clock.now(),
        by=support.PUBLIC,
    )


def test_the_public_form_is_rate_limited_per_address(client: Any, db: Session) -> None:
    client.app.state.settings = client.app.state.settings.model_copy(
        update={"hotline_report_rate_limit_per_minute": 2}
    )
    client.get("/hotline/report")
    token = str(client.cookies.get("mamori_csrf")).split(".")[0]
    codes = [
        client.post(
            "/hotline/report",
            data={
                **support.form_data(content_url=support.unique_url(), filer_email=f"p{n}@example.jp"),
                "csrf_token": token,
            },
        ).status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_criteria_are_recorded_one_by_one_and_a_refusal_needs_its_reason(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    email = f"record-{support.unique_url()[12:20]}@example.jp"
    report, _ = service.file_report(
        support.form(filer_email=email), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
    )
    with pytest.raises(DomainError) as refused:
        service.assess(
            report.id, model.Assessment(True, False, True, ""), db=db, at=clock.now(), by=support.DESK
        )
    assert refused.value.field == "note"
    service.assess(
        report.id,
        model.Assessment(True, False, True, "市長の公務についての批判であり公益性がある。"),
        db=db,
        at=clock.now(),
        by=support.DESK,
    )
    assert (report.identifiable_person, report.no_public_interest, report.beyond_tolerable) == (
        True,
        False,
        True,
    )
    assert (report.qualifies, report.not_qualifying_reason, report.status) == (
        False,
        "public_interest",
        "not_qualifying",
    )
    with pytest.raises(DomainError):
        service.notify(report.id, db=db, settings=settings, at=clock.now(), by=support.DESK)
    # the reporter's record of unfounded reports is what the desk sees on their next report
    later, _ = service.file_report(
        support.form(content_url=support.unique_url(), filer_email=email),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.PUBLIC,
    )
    view = service.read_report(later.id, db=db, settings=settings, at=clock.now(), by=support.DESK)
    assert (view.reporters[0].earlier_reports, view.reporters[0].earlier_not_qualifying) == (1, 1)


def test_only_the_desk_assesses(db: Session, settings: Settings, clock: FixedClock) -> None:
    report, _ = service.file_report(
        support.form(), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
    )
    with pytest.raises(DomainError) as refused:
        service.assess(report.id, QUALIFIES, db=db, at=clock.now(), by=support.PUBLIC)
    assert refused.value.status == 403


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_platform_abroad_gets_a_letter_by_mail_and_the_answer_is_tracked(
    db: Session, settings: Settings, clock: FixedClock, mail: MailSink, session_factory: Any, lang: str
) -> None:
    letter_platform(db, settings, clock, lang)
    url = support.unique_url()
    report, _ = service.file_report(
        support.form(content_url=url), db=db, settings=settings, at=clock.now(), by=support.PUBLIC
    )
    service.assess(report.id, QUALIFIES, platform="abroad", db=db, at=clock.now(), by=support.DESK)
    notice = service.notify(report.id, db=db, settings=settings, at=clock.now(), by=support.DESK)
    assert notice.outbox_notice_id is not None and notice.follow_up_due_at > clock.now()
    db.flush()
    deliver_notices(session_factory, settings, clock)
    sent = mail.wait_for(1)[0]
    body = sent.get_body().get_content() if hasattr(sent, "get_body") else str(sent)
    assert "legal@abroad.example" in str(sent["To"]) and url in body
    assert ("terms of service" in body) if lang == "en" else ("利用規約" in body)
    assert not service.follow_up_overdue(notice, clock.now())
    clock.advance(days=settings.hotline_follow_up_days, seconds=1)
    assert service.follow_up_overdue(notice, clock.now())
    service.record_answer(notice.id, "removed", "Removed on 4 April.", db=db, at=clock.now(), by=support.DESK)
    assert report.status == "closed" and not service.follow_up_overdue(notice, clock.now())


def test_the_published_figures_add_up(db: Session, settings: Settings, clock: FixedClock) -> None:
    clock.set(
        dt.datetime(2025, 6, 1, 12, 0, tzinfo=JST)
    )  # a year of its own: other tests' reports are in 2026
    letter_platform(db, settings, clock)
    outcomes = ["removed", "removed", "not_removed"]
    for n, outcome in enumerate(outcomes):
        url = support.unique_url()
        report, _ = service.file_report(
            support.form(content_url=url, filer_email=f"r{n}@example.jp"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=support.PUBLIC,
        )
        service.file_report(
            support.form(content_url=url, filer_email=f"s{n}@example.jp"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=support.PUBLIC,
        )
        service.assess(report.id, QUALIFIES, platform="abroad", db=db, at=clock.now(), by=support.DESK)
        notice = service.notify(report.id, db=db, settings=settings, at=clock.now(), by=support.DESK)
        service.record_answer(notice.id, outcome, "", db=db, at=clock.now(), by=support.DESK)
    refused, _ = service.file_report(
        support.form(content_url=support.unique_url()),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.PUBLIC,
    )
    service.assess(
        refused.id,
        model.Assessment(False, True, True, "人物を特定できない。"),
        db=db,
        at=clock.now(),
        by=support.DESK,
    )
    fig = service.figures(2025, db=db)
    assert (fig.contacts, fig.reports, fig.assessed, fig.qualifying, fig.notified, fig.removed) == (
        7,
        4,
        4,
        3,
        3,
        2,
    )
    assert fig.qualifying_share == 0.75 and fig.platforms[0].removal_share == pytest.approx(2 / 3)
    assert fig.reasons == [("not_identifiable", 1)]
    assert "removed,2025,2,0.667" in figures_csv(fig, "en").replace("\r", "")
    assert chart_png(fig, "platforms", "ja").startswith(b"\x89PNG") and chart_png(
        fig, "reasons", "en"
    ).startswith(b"\x89PNG")
    # the council file: the month has 7 contacts; the outcome cells of 2 and 1 are below the threshold of 5
    text = council_export.write(
        "誹謗中傷ホットライン", "hotline", 2025, service.council_cells(2025, db=db), 5
    )
    assert "mamori-council/1,誹謗中傷ホットライン,hotline,2025,month,2025-06,7" in text
    assert ",outcome," not in text


def test_a_platforms_key_is_encrypted_at_rest(db: Session, settings: Settings, clock: FixedClock) -> None:
    key = "mmr_the-platform-issued-this-key-0123456789"
    row = service.add_platform(
        service.NewPlatform("board", "掲示板", "api", "https://board.example", key, "board"),
        db=db,
        settings=settings,
        at=clock.now(),
        by=support.DESK,
    )
    assert row.api_key_sealed is not None and key not in row.api_key_sealed
    assert service.platform_key(row, settings) == key
    with pytest.raises(DomainError) as refused:
        service.add_platform(
            service.NewPlatform("other", "x", "api", "ftp://board.example", key, "board"),
            db=db,
            settings=settings,
            at=clock.now(),
            by=support.DESK,
        )
    assert refused.value.field == "api_url"
