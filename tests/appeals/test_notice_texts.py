"""The notices that offer an objection state its period, in Japanese and English: the poster's Art. 27
measure notice, and the requester's Art. 25 notice when nothing was removed. The period's last day depends
on when the mail arrives, so the mail states the number of days and how they count; the page it links to
states the date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.appeals import service
from mamori.appeals.model import Side
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.notices.compose import compose
from tests.appeals.conftest import Delivered
from tests.appeals.support import (
    POSTER_ADDRESS,
    REQUESTER_ADDRESS,
    REQUESTER_OBJECTION,
    SECOND,
    UPHELD,
    choice,
    decide,
    file,
)

PERIOD_JA = "この通知を受け取った日の翌日から数えて14日以内"
PERIOD_EN = "within 14 days of receiving this notice"


def poster_context(**over: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "platform": "掲示板",
        "measure_text": "削除",
        "content_url": "https://board.example/t/1#5",
        "decided_at_text": "2026年4月1日 10:00:00 (日本時間)",
        "reason": "根拠が示されていないため。",
        "criteria_version": "2026.1",
        "clause_code": "2.1",
        "clause_title": "社会的評価を低下させる投稿",
        "criteria_url": "https://mamori.example/criteria",
        "requester_name": "",
        "basis": "review",
        "appeal_url": "https://mamori.example/poster/c1?key=k",
    }
    return {**context, **over}


def requester_context(**over: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "platform": "掲示板",
        "receipt_number": "R-20260401-ABCDEFGH",
        "received_at_text": "2026年4月1日 09:00:00 (日本時間)",
        "content_url": "https://board.example/t/1#5",
        "basis": "review",
        "removed": False,
        "measure_text": "対応なし",
        "reason": "論評の範囲内です。",
        "criteria_version": "2026.1",
        "clause_code": "",
        "clause_title": "",
        "decided_at_text": "2026年4月1日 10:00:00 (日本時間)",
        "follow_url": "https://mamori.example/status/R-20260401-ABCDEFGH?key=k",
    }
    return {**context, **over}


@pytest.mark.parametrize(("lang", "period"), [("ja", PERIOD_JA), ("en", PERIOD_EN)])
def test_the_poster_is_told_the_period_to_object(lang: str, period: str) -> None:
    _subject, body = compose("poster_measure", lang, poster_context(appeal_filing_days=14))
    assert period in body
    assert body.index("https://mamori.example/poster/c1?key=k") < body.index(period)


@pytest.mark.parametrize(("lang", "period"), [("ja", PERIOD_JA), ("en", PERIOD_EN)])
def test_the_requester_told_of_no_removal_is_offered_the_objection_and_its_period(
    lang: str, period: str
) -> None:
    _subject, body = compose("requester_decision", lang, requester_context(appeal_filing_days=14))
    assert period in body
    assert ("異議" in body) if lang == "ja" else ("object" in body)


def offers_objection(body: str) -> bool:
    return any(text in body for text in ("日以内", "within", "異議を申し立て", "object once"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_no_objection_is_offered_where_there_is_none(lang: str) -> None:
    removed = requester_context(removed=True, measure_text="削除", clause_code="2.1", appeal_filing_days=14)
    _subject, body = compose("requester_decision", lang, removed)
    assert not offers_objection(body)
    # the ruling on the requester's own objection is final for the requester
    final = requester_context(basis="appeal_by_requester", appeal_filing_days=14)
    _subject, body = compose("requester_decision", lang, final)
    assert not offers_objection(body) and ("最終" in body if lang == "ja" else "final" in body)
    final_for_poster = poster_context(basis="appeal_by_poster", appeal_filing_days=14)
    _subject, body = compose("poster_measure", lang, final_for_poster)
    assert not offers_objection(body) and "/poster/" not in body


@pytest.mark.parametrize("kind", ["poster_measure", "requester_decision"])
def test_without_the_setting_in_the_context_the_text_is_left_out(kind: str) -> None:
    context = poster_context() if kind == "poster_measure" else requester_context()
    for lang in ("ja", "en"):
        _subject, body = compose(kind, lang, context)
        assert PERIOD_JA not in body and PERIOD_EN not in body


def test_the_notices_a_decision_sends_state_the_period(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Callable[[], Delivered],
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    poster_mail = deliver()[POSTER_ADDRESS][-1][1]
    assert PERIOD_JA in poster_mail and PERIOD_EN in poster_mail  # one bilingual mail
    # the poster's objection succeeds: the requester, told nothing was removed, may object in turn
    file(db, settings, clock, case_id, Side.POSTER)
    service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    kind, requester_mail = deliver()[REQUESTER_ADDRESS][-1]
    assert kind == "requester_decision" and PERIOD_JA in requester_mail
    file(db, settings, clock, case_id, Side.REQUESTER, REQUESTER_OBJECTION)
