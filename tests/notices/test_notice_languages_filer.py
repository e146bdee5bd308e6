"""A requester who filed in やさしい日本語 (plain Japanese) gets each notice as the exact Japanese one,
dates and words included, followed by a plain summary (needs /tmp/ja-easy-filers.patch applied)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.notices import service as notices
from mamori.notices.compose import EASY_RULE
from mamori.requests import service as requests
from tests.workspace import support

FIRST = Actor("user:first", frozenset({"specialist"}))


def test_a_requester_who_filed_in_plain_japanese_gets_the_japanese_notice_and_a_plain_summary(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    support.board(db)
    support.published_criteria(db)
    case_id = support.file(db, settings, clock.now(), lang="ja-easy")
    support.with_poster(db, settings, case_id, clock.now())
    decisions.extend(
        case_id,
        ExtensionGround.HEARING_POSTER,
        "",
        db=db,
        settings=settings,
        at=clock.advance(hours=1),
        by=FIRST,
    )
    decisions.decide(
        case_id,
        decisions.DecisionInput(Measure.REMOVE, "2026.1", "2.1", "特定の個人の社会的評価を低下させるため。"),
        db=db,
        settings=settings,
        at=clock.advance(days=1),
        by=FIRST,
    )
    sealer = requests.sealer_for(settings)
    told = {
        row.kind: notices.body_of(row, sealer)
        for row in notices.for_case(db, case_id)
        if row.recipient == "requester"
    }
    assert set(told) == {"receipt", "requester_interim", "requester_decision"}
    for kind, body in told.items():
        formal, rule, summary = body.partition(EASY_RULE)
        assert rule and "この メールの いみ" in summary, kind
        # the exact Japanese notice: no English word, dates as in Japanese
        assert "JST" not in formal and not re.search(r"\b[a-z]{4,}\b", re.sub(r"https?://\S+", "", formal)), (
            formal
        )
    assert "発信者に対し意見を聴いているため" in told["requester_interim"]
    assert "とうこうした 人に 話を きいて いる" in told["requester_interim"]
    assert "次の措置を講じました: 投稿の削除" in told["requester_decision"]
    assert "つぎの ことを しました: 投稿の削除" in told["requester_decision"]
    assert "社会的評価を低下させる投稿" in told["requester_decision"]  # the clause's Japanese title
