"""The requester's status page says first, in plain words, what happened to the request: nothing yet,
extended (and why), removed / hidden / account suspended / not removed (with the clause and the reason),
or an objection under examination — in Japanese, English and やさしい日本語 — before the mail copies."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from mamori.appeals.model import Side
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from tests.appeals.support import FIRST, NOT_REMOVED, REMOVED, SECOND, UPHELD, choice, decide, file
from tests.appeals.test_period_pages import case_with_poster


def outcome(client: Any, receipt: str, key: str, lang: str) -> str:
    page = client.get(f"/status/{receipt}?key={key}&lang={lang}")
    assert page.status_code == 200
    found = re.search(r'<section class="outcome[^"]*" id="outcome".*?</section>', page.text, re.S)
    assert found, "no outcome section"
    # the outcome comes before the copies of the mails
    assert page.text.index('id="outcome"') < page.text.index("<h2>", page.text.index("</section>"))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def test_before_any_decision_it_says_nothing_is_decided_and_by_when(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    _, receipt, key = case_with_poster(db, settings, clock)
    db.flush()
    assert "まだ判断は出ていません" in outcome(client, receipt, key, "ja")
    english = outcome(client, receipt, key, "en")
    assert "Nothing has been decided yet" in english and "JST" in english
    assert "まだ きまっていません" in outcome(client, receipt, key, "ja-easy")


def test_an_extension_says_which_ground_and_the_reason(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decisions.extend(
        case_id,
        ExtensionGround.UNAVOIDABLE,
        "通信障害により調査記録が確認できないため",
        db=db,
        settings=settings,
        at=clock.now(),
        by=FIRST,
    )
    db.flush()
    text = outcome(client, receipt, key, "ja")
    assert "時間がかかります" in text and "やむを得ない" in text and "通信障害" in text
    assert "We need more time" in outcome(client, receipt, key, "en")


def test_a_removal_says_removed_with_the_clause_and_the_reason(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    db.flush()
    text = outcome(client, receipt, key, "ja")
    assert "投稿は削除されました" in text and "2.1" in text and REMOVED in text
    assert "The post was removed." in outcome(client, receipt, key, "en")


def test_a_refusal_says_not_removed_why_and_where_else_to_turn(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    db.flush()
    text = outcome(client, receipt, key, "ja")
    assert "削除しないと判断しました" in text and NOT_REMOVED in text and "相談" in text
    page = client.get(f"/status/{receipt}?key={key}&lang=en").text
    assert 'href="/consult?lang=en"' in page


def test_an_objection_shows_the_decision_may_change_then_the_ruling(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, receipt, key = case_with_poster(db, settings, clock)
    decide(db, settings, clock, case_id, Measure.REMOVE)
    file(db, settings, clock, case_id, Side.POSTER)
    db.flush()
    text = outcome(client, receipt, key, "ja")
    assert "判断が変わることがあります" in text and "投稿した人が" in text
    assert "The person who posted it objected" in outcome(client, receipt, key, "en")
    from mamori.appeals import service

    service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    db.flush()
    text = outcome(client, receipt, key, "ja")
    assert "異議を審査した結果" in text and "削除しないと判断しました" in text and UPHELD in text
