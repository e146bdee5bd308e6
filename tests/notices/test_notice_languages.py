"""Notices speak the filer's language: Japanese, English, or the exact Japanese followed by a summary
in やさしい日本語 (plain Japanese) of what it means and what the person can do.

Two levels: each notice kind composed in ja, en and ja-easy (`notices.compose`), and the real path of a
requester who filed in English (receipt, extension, decision, the ruling on their objection), read back
from the outbox as the mail will carry it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from jinja2.ext import babel_extract
from sqlalchemy.orm import Session

from mamori.appeals import service as appeals
from mamori.appeals.model import Side
from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.i18n import formal_lang, translations
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.notices import service as notices
from mamori.notices.compose import EASY_RULE, EASY_SUMMARIES, compose, has_easy_summary
from mamori.requests import service as requests
from tests.workspace import support

# Kana and kanji (and the Japanese punctuation): what must not appear in an English notice.
JAPANESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
PLATFORM_JA, PLATFORM_EN = "みまもり掲示板", "Mimamori Board"
FOLLOW = "https://mamori.example/status/R-20260401-ABCDEFGH?key=k3y"


def japanese_in(text: str, *allowed: str) -> list[str]:
    """The Japanese letters left in `text` once the values the operator or the person gave are taken out."""
    for value in allowed:
        text = text.replace(value, "")
    return JAPANESE.findall(text)


def context(kind: str, lang: str, **over: Any) -> dict[str, Any]:
    """What the services give each kind; values that are words come in the reader's formal language."""
    ja = formal_lang(lang) == "ja"
    base: dict[str, Any] = {
        "platform": PLATFORM_JA if ja else PLATFORM_EN,
        "operator_contact": ["abuse@mimamori.example"],
        "receipt_number": "R-20260401-ABCDEFGH",
        "received_at_text": "2026年4月1日 09:00:00 (日本時間)" if ja else "2026-04-01 09:00:00 JST",
        "due_text": "2026年4月8日 09:00:00 (日本時間)" if ja else "2026-04-08 09:00:00 JST",
        "decided_at_text": "2026年4月3日 10:00:00 (日本時間)" if ja else "2026-04-03 10:00:00 JST",
        "content_url": "https://board.example/t/1#5",
        "follow_url": FOLLOW,
        "follow_secret": "k3y",
        "rights_text": "名誉権" if ja else "reputation",
        "repeat_of_receipt": "",
        "reason": "根拠が示されていないため。" if ja else "No ground was given.",
        "measure_text": "投稿の削除" if ja else "removal of the post",
        "removed": True,
        "basis": "review",
        "criteria_version": "2026.1",
        "clause_code": "2.1",
        "clause_title": "社会的評価を低下させる投稿" if ja else "Posts lowering a person's standing",
        "criteria_url": "https://mamori.example/criteria",
        "requester_name": "",
        "appeal_url": "https://mamori.example/poster/c1?key=k",
        "appeal_filing_days": 14,
        "ground_text": "発信者に対し意見を聴いているため" if ja else "we are hearing the poster's opinion",
        "ground_reason": "",
        "case_url": "https://mamori.example/workspace/cases/c1",
        "notice_kind": "requester_decision",
        "notice_status": "pending",
        "last_error": "timeout",
    }
    return {**base, **over}


# Each kind once per situation a reader meets: removed / not removed / the ruling on an objection.
SITUATIONS: list[tuple[str, dict[str, Any]]] = [
    ("receipt", {}),
    ("receipt", {"repeat_of_receipt": "R-20260301-EARLIER1"}),
    ("requester_interim", {}),
    ("requester_decision", {}),
    ("requester_decision", {"removed": False, "clause_code": ""}),
    ("requester_decision", {"removed": False, "clause_code": "", "basis": "appeal_by_requester"}),
    ("requester_decision", {"basis": "appeal_by_poster"}),
    ("poster_measure", {}),
    ("poster_measure", {"basis": "appeal_by_poster"}),
]
REQUESTER_KINDS = ("receipt", "requester_interim", "requester_decision", "poster_measure")


@pytest.mark.parametrize(("kind", "over"), SITUATIONS)
def test_an_english_notice_has_no_japanese_but_the_names_given(kind: str, over: dict[str, Any]) -> None:
    subject, body = compose(kind, "en", context(kind, "en", **over))
    assert japanese_in(subject + body) == [], body
    assert PLATFORM_EN in subject and "Act on the Handling of Information Distribution Platforms" in body


@pytest.mark.parametrize(("kind", "over"), SITUATIONS)
def test_a_japanese_notice_is_in_japanese_without_a_summary(kind: str, over: dict[str, Any]) -> None:
    subject, body = compose(kind, "ja", context(kind, "ja", **over))
    assert "情報流通プラットフォーム対処法" in body and PLATFORM_JA in subject
    assert EASY_RULE not in body and "Act on" not in body


@pytest.mark.parametrize(("kind", "over"), SITUATIONS)
def test_a_plain_japanese_notice_is_the_exact_japanese_one_then_a_plain_summary(
    kind: str, over: dict[str, Any]
) -> None:
    ja_subject, ja_body = compose(kind, "ja", context(kind, "ja", **over))
    subject, body = compose(kind, "ja-easy", context(kind, "ja-easy", **over))
    formal, rule, rest = body.partition(EASY_RULE)
    assert rule, body
    # the legal text is the Japanese notice word for word; only the contact footer moves below the summary
    assert subject == ja_subject
    assert formal.strip() == ja_body.partition("\n――\n")[0].strip()
    summary, _, footer = rest.partition("\n――\n")
    assert "この メールの いみ" in summary and "あなたが できる こと" in summary
    assert PLATFORM_JA in footer and "連絡先" in footer
    assert not re.search(r"[a-z]{4,}", re.sub(r"https?://\S+", "", summary)), summary  # no English words


def test_each_summary_says_what_the_notice_means_in_plain_words() -> None:
    def summary(kind: str, **over: Any) -> str:
        return compose(kind, "ja-easy", context(kind, "ja-easy", **over))[1].partition(EASY_RULE)[2]

    receipt = summary("receipt")
    assert "うけつけ ばんごうは R-20260401-ABCDEFGH です" in receipt and "2026年4月8日" in receipt
    assert "「キー」は だれにも みせないで ください" in receipt and FOLLOW in receipt
    assert "https://mamori.example/consult?lang=ja-easy" in receipt  # where to talk to someone
    assert "まえにも おなじ もうしでを" in summary("receipt", repeat_of_receipt="R-20260301-EARLIER1")
    assert "とうこうした 人に 話を きいて いる" in summary("requester_interim", ground="hearing_poster")
    assert "りゆうは 上に かいて あります" in summary("requester_interim")
    assert "つぎの ことを しました: 投稿の削除" in summary("requester_decision")
    refused = summary("requester_decision", removed=False, clause_code="")
    assert "けしません でした" in refused and "「理由」" in refused
    assert "いちど だけ いぎ" in refused and "14 にちの うちに" in refused
    final = summary("requester_decision", removed=False, clause_code="", basis="appeal_by_requester")
    assert "さいごの こたえ" in final and "いちど だけ" not in final
    assert "べつの 人が もう いちど しらべました" in summary("requester_decision", basis="appeal_by_poster")
    poster = summary("poster_measure")
    assert "https://mamori.example/poster/c1?key=k" in poster and "「適用した基準」" in poster


def test_notices_to_the_operator_stay_in_japanese_with_no_summary() -> None:
    for kind in ("deadline_alert", "undelivered_alert"):
        assert not has_easy_summary(kind)
        _, body = compose(kind, "ja-easy", context(kind, "ja-easy"))
        assert body == compose(kind, "ja", context(kind, "ja"))[1]


def test_every_text_of_the_summaries_has_a_plain_japanese_translation() -> None:
    easy = translations("ja-easy")
    missing = []
    for template in sorted(EASY_SUMMARIES.glob("*.txt")):
        with template.open("rb") as fh:
            for line, _func, message, _comments in babel_extract(fh, ["_"], [], {}):
                msgid = message[0] if isinstance(message, tuple) else message
                if easy.gettext(msgid) == msgid:
                    missing.append(f"{template.name}:{line}: {msgid}")
    assert missing == []
    assert {p.stem for p in EASY_SUMMARIES.glob("*.txt")} == set(REQUESTER_KINDS)
    assert all((Path(EASY_SUMMARIES).parent / f"{kind}.txt").is_file() for kind in REQUESTER_KINDS)


# ------------------------------------------------------------------ the real path, filed in English

FIRST = Actor("user:first", frozenset({"specialist"}))
SECOND = Actor("user:second", frozenset({"specialist"}))


def _bodies(db: Session, settings: Settings, case_id: str) -> dict[str, list[str]]:
    sealer = requests.sealer_for(settings)
    out: dict[str, list[str]] = {}
    for row in notices.for_case(db, case_id):
        if row.recipient == "requester":
            out.setdefault(row.kind, []).append(f"{row.subject}\n{notices.body_of(row, sealer)}")
            assert row.lang == "en"
    return out


def test_a_requester_who_filed_in_english_is_told_everything_in_english(
    db: Session, settings: Settings, clock: FixedClock
) -> None:
    support.board(db)
    support.published_criteria(db)
    case_id = support.file(
        db,
        settings,
        clock.now(),
        lang="en",
        content_text="Ichiro Sato is a fraud",
        reason="I never cheated anyone; my clients read this post.",
    )
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
    not_removed = "It is a fair comment on a public matter."
    decisions.decide(
        case_id,
        decisions.DecisionInput(Measure.NO_ACTION, "2026.1", None, not_removed),
        db=db,
        settings=settings,
        at=clock.advance(days=1),
        by=FIRST,
    )
    appeals.file_appeal(
        case_id,
        Side.REQUESTER,
        "The post is false and my clients still talk about it.",
        db=db,
        settings=settings,
        at=clock.advance(hours=1),
        by=Actor("requester:x"),
    )
    upheld = "Having read the objection, the post lowers the requester's standing."
    appeals.rule(
        case_id,
        decisions.DecisionInput(Measure.REMOVE, "2026.1", "2.1", upheld),
        db=db,
        settings=settings,
        at=clock.advance(days=1),
        by=SECOND,
    )
    told = _bodies(db, settings, case_id)
    assert set(told) == {"receipt", "requester_interim", "requester_decision"}
    assert len(told["requester_decision"]) == 2  # the decision, then the ruling on the objection
    given = (
        settings.platform_name,  # the operator's name as set up (Japanese by default)
        # the rights as the law names them are shown in Japanese beside the English (requests.rights_text)
        "(名誉権)",
    )
    for kind, bodies in told.items():
        for body in bodies:
            assert japanese_in(body, *given) == [], f"{kind}:\n{body}"
    receipt, interim = told["receipt"][0], told["requester_interim"][0]
    assert "Your removal request was received" in receipt and "JST" in receipt
    assert "we are hearing the poster's opinion" in interim
    decision, ruling = told["requester_decision"]
    assert "We did not remove the content you reported." in decision and "you may object once" in decision
    assert "outcome of the objection" in ruling and "removal of the post" in ruling
