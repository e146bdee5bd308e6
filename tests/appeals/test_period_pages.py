"""The poster's page and the requester's status page say until when one may object, and, after an
objection, when the ruling is due; in Japanese and English. A late objection is refused on the page with
the date it was due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.requests import service as requests
from tests.appeals.conftest import Delivered
from tests.appeals.support import OBJECTION, REQUESTER_OBJECTION, decide
from tests.workspace import support

LAST_DAY = {"ja": "2026年4月16日 23:59:59 (日本時間)", "en": "2026-04-16 23:59:59 JST"}
STARTED = {"ja": "2026年4月2日 15:00:00 (日本時間)", "en": "2026-04-02 15:00:00 JST"}


def jst(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=JST)


def csrf(client: Any) -> str:
    return str(client.cookies.get("mamori_csrf").split(".")[0])


def case_with_poster(db: Session, settings: Settings, clock: FixedClock) -> tuple[str, str, str]:
    """(case id, receipt number, follow key) of a request whose poster is known."""
    support.board(db)
    support.published_criteria(db)
    receipt = requests.file_request(
        support.request_form(), db=db, settings=settings, at=clock.now(), by=support.SYSTEM
    )
    support.with_poster(db, settings, receipt.case_id, clock.now())
    return receipt.case_id, receipt.receipt_number, receipt.follow_secret


def poster_url(db: Session, settings: Settings, case_id: str) -> str:
    key = requests.poster_secret(requests.get_case_row(db, case_id), settings)
    return f"/poster/{case_id}?key={key}"


def test_the_poster_page_says_until_when_one_may_object(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    case_id, _, _ = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    db.flush()
    url = poster_url(db, settings, case_id)
    before = client.get(f"{url}&lang=en")
    assert "starts when our notice of this decision reaches you" in before.text
    assert 'id="send-appeal"' in before.text  # one may object before the notice arrives
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()
    for lang in ("ja", "en"):
        page = client.get(f"{url}&lang={lang}")
        assert page.status_code == 200
        assert LAST_DAY[lang] in page.text and STARTED[lang] in page.text
    assert "14日" in client.get(f"{url}&lang=ja").text


def test_after_the_period_the_poster_page_says_it_ended_and_refuses_the_objection(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    case_id, _, _ = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()
    url = poster_url(db, settings, case_id)
    clock.set(jst(2026, 4, 17, 0, 0))
    for lang in ("ja", "en"):
        page = client.get(f"{url}&lang={lang}")
        assert LAST_DAY[lang] in page.text and 'id="send-appeal"' not in page.text
    key = url.split("key=")[1]
    refused = client.post(
        f"/poster/{case_id}/appeal?lang=en",
        data={"key": key, "reasons": OBJECTION, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert refused.status_code == 409
    assert "The period to object (14 days) ended on 2026-04-16 23:59:59 JST" in refused.text


def test_after_an_objection_the_poster_page_says_when_the_ruling_is_due(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    case_id, _, _ = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    deliver()
    url = poster_url(db, settings, case_id)
    client.get(url)
    clock.set(jst(2026, 4, 10, 11, 0))
    sent = client.post(
        f"/poster/{case_id}/appeal?lang=ja",
        data={"key": url.split("key=")[1], "reasons": OBJECTION, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "2026年4月24日 23:59:59 (日本時間)" in client.get(f"{url}&lang=ja").text
    assert "2026-04-24 23:59:59 JST" in client.get(f"{url}&lang=en").text
    clock.set(jst(2026, 4, 25, 9, 0))
    late = client.get(f"{url}&lang=en").text
    assert "overdue" in late


def test_the_status_page_says_until_when_the_requester_may_object(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    clock.set(jst(2026, 4, 2, 15, 0))
    deliver()
    url = f"/status/{receipt}?key={key}"
    for lang in ("ja", "en"):
        page = client.get(f"{url}&lang={lang}")
        assert page.status_code == 200
        assert LAST_DAY[lang] in page.text and STARTED[lang] in page.text
    # the day after the last day: no form, the date it ended, and a refused objection names it
    clock.set(jst(2026, 4, 17, 0, 0))
    page = client.get(f"{url}&lang=ja")
    assert LAST_DAY["ja"] in page.text and "異議を送る" not in page.text
    refused = client.post(
        f"/status/{receipt}/appeal?lang=ja",
        data={"key": key, "reasons": REQUESTER_OBJECTION, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert refused.status_code == 409 and LAST_DAY["ja"] in refused.text


def test_after_an_objection_the_status_page_says_when_the_ruling_is_due(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    deliver()
    url = f"/status/{receipt}?key={key}"
    client.get(url)
    clock.set(jst(2026, 4, 10, 11, 0))
    sent = client.post(
        f"/status/{receipt}/appeal?lang=ja",
        data={"key": key, "reasons": REQUESTER_OBJECTION, "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert "2026年4月24日 23:59:59 (日本時間)" in client.get(f"{url}&lang=ja").text
    assert "2026-04-24 23:59:59 JST" in client.get(f"{url}&lang=en").text


def test_each_page_speaks_the_language_asked_whatever_was_shown_before(
    client: Any, db: Session, settings: Settings, clock: FixedClock, deliver: Callable[[], Delivered]
) -> None:
    """The labels and periods come from macros: they follow each page's language, not the first page's."""
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    deliver()
    url = poster_url(db, settings, case_id)
    for first, then in (("ja", "en"), ("en", "ja")):
        client.get(f"{url}&lang={first}")
        page = client.get(f"{url}&lang={then}").text
        if then == "en":
            assert "Remove the post" in page and "You may object until" in page
        else:
            assert "投稿を削除する" in page and "まで異議を申し立てられます" in page
    for lang, stage in (("ja", "判断済み"), ("en", "Decided")):
        assert f'id="stage">{stage}<' in client.get(f"/status/{receipt}?key={key}&lang={lang}").text
