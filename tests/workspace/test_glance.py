"""The workspace at a glance: time left in words, filters folded away, confirmations, errors by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mamori.core.auth import UserRow
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.requests import service as requests
from tests.workspace import support
from tests.workspace.test_pages_smoke import csrf, sign_in


def open_case(db: Session, settings: Settings, clock: FixedClock, client: Any) -> tuple[str, dt.datetime]:
    support.board(db)
    support.published_criteria(db)
    support.staff(db, "s1@staff.test", ["specialist"], name="山田花子")
    case_id = support.file(db, settings, clock.now())
    sign_in(client, "s1@staff.test")
    return case_id, requests.get_case_row(db, case_id).decision_due_at


def test_time_left_is_said_in_words_with_the_exact_time_beside(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, due = open_case(db, settings, clock, client)
    clock.set(due - dt.timedelta(days=2, hours=5, minutes=10))
    sign_in(client, "s1@staff.test")  # a session does not outlive the clock's jumps
    ja = client.get("/workspace?lang=ja").text
    assert "残り2日5時間" in ja and 'title="' in ja
    assert "2日5時間" not in client.get("/workspace?lang=en").text
    assert "2 days 5 hours left" in client.get("/workspace?lang=en").text
    assert "残り2日5時間" in client.get(f"/workspace/cases/{case_id}?lang=ja").text
    clock.set(due + dt.timedelta(hours=3, minutes=2))
    sign_in(client, "s1@staff.test")
    assert "期限を3時間2分超過" in client.get("/workspace?lang=ja").text
    assert "3 hours 2 minutes overdue" in client.get(f"/workspace/cases/{case_id}?lang=en").text


def test_queue_filters_are_folded_unless_one_is_set(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    open_case(db, settings, clock, client)
    plain = client.get("/workspace?lang=en").text
    assert '<details class="queue-filters" id="queue-filters">' in plain
    narrowed = client.get("/workspace?lang=en&service=board").text
    assert '<details class="queue-filters" id="queue-filters" open>' in narrowed


def test_each_action_is_confirmed_on_the_page_it_leads_to(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    token = csrf(client)
    claimed = client.post(
        f"/workspace/cases/{case_id}/claim?lang=ja", data={"csrf_token": token}, follow_redirects=False
    )
    assert claimed.status_code == 303 and "done=claimed" in claimed.headers["location"]
    assert 'id="done">この案件を担当しました。' in client.get(claimed.headers["location"]).text
    released = client.post(
        f"/workspace/cases/{case_id}/release?lang=en", data={"csrf_token": token}, follow_redirects=False
    )
    assert "You gave the case back." in client.get(released.headers["location"]).text


def test_a_confirmation_never_echoes_the_url(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    page = client.get(f"/workspace/cases/{case_id}?lang=en&done=Your+case+was+deleted").text
    assert "Your case was deleted" not in page and 'id="done"' not in page


def test_an_error_is_shown_beside_its_field_and_summarised_at_the_top(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    token = csrf(client)
    client.post(f"/workspace/cases/{case_id}/claim", data={"csrf_token": token})
    form = {
        "csrf_token": token,
        "measure": "remove",
        "criteria_version": "2026.1",
        "clause": "",
        "reason": "x" * 20,
    }
    page = client.post(f"/workspace/cases/{case_id}/preview?lang=en", data=form)
    assert page.status_code >= 400
    assert 'id="action-error"' in page.text and 'href="#clause"' in page.text
    assert '<p class="field-error" id="clause-error">Choose the clause applied.</p>' in page.text
    assert 'id="clause" name="clause" aria-invalid="true" aria-describedby="clause-error"' in page.text
    assert 'id="done"' not in page.text


def publish_second_version(db: Session) -> None:
    from mamori.criteria import service as criteria

    at = dt.datetime(2026, 3, 1, tzinfo=support.EPOCH.tzinfo)
    clause = criteria.DraftClause(
        code="3.1",
        title_ja="私生活の暴露",
        title_en="Exposing private life",
        text_ja="私生活をみだりに公開する投稿は削除します。",
        text_en="We remove posts that expose a person's private life without cause.",
        applies_to=["request"],
        measures=["remove"],
        reason_template_ja="私生活をみだりに公開する内容であるため。",
        reason_template_en="It exposes a private life without cause.",
    )
    criteria.create_draft("2026.2", at, [clause], db=db, at=at, by=support.SYSTEM)
    criteria.publish("2026.2", db=db, at=at, by=support.SYSTEM)
    db.flush()


def test_the_post_is_shown_beside_the_clause_of_the_version_in_force(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id, _due = open_case(db, settings, clock, client)
    publish_second_version(db)
    ja = client.get(f"/workspace/cases/{case_id}?lang=ja").text
    clause_select = ja[
        ja.index('<select id="clause"') : ja.index("</select>", ja.index('<select id="clause"'))
    ]
    assert 'value="3.1"' in clause_select and 'value="2.1"' not in clause_select  # only the version in force
    assert 'value="3.1" data-key="2026.2|3.1" selected' in clause_select  # the first clause by default
    beside = ja[ja.index('id="post-beside-clause"') : ja.index('id="other-versions"')]
    assert "佐藤一郎は詐欺師だ" in beside and "私生活をみだりに公開する投稿は削除します。" in beside
    assert "社会的評価を低下させる投稿" in ja[ja.index('id="other-versions"') :]  # older version, folded
    en = client.get(f"/workspace/cases/{case_id}?lang=en").text
    assert '<p id="clause-text" class="prewrap">We remove posts that expose' in en


def appealed_case(db: Session, settings: Settings, clock: FixedClock, client: Any) -> str:
    """山田花子 removed the post; the poster objected. Returns the case id."""
    from mamori.appeals import service as appeals
    from mamori.appeals.model import Side
    from mamori.core.audit import Actor
    from mamori.criteria.model import Measure
    from mamori.decisions import service as decisions

    case_id, _due = open_case(db, settings, clock, client)
    support.with_poster(db, settings, case_id, clock.now())
    first = db.scalars(select(UserRow).where(UserRow.email == "s1@staff.test")).one()
    reason = "根拠が示されておらず、特定の個人の社会的評価を低下させるため。"
    choice = decisions.DecisionInput(Measure.REMOVE, "2026.1", "2.1", reason)
    decider = Actor(f"user:{first.id}", frozenset({"specialist"}))
    decisions.decide(case_id, choice, db=db, settings=settings, at=clock.now(), by=decider)
    objection = "投稿は事実に基づく論評であり、削除には同意できません。"
    appeals.file_appeal(
        case_id,
        Side.POSTER,
        objection,
        db=db,
        settings=settings,
        at=clock.advance(hours=1),
        by=Actor("poster:x"),
    )
    db.flush()
    return case_id


def test_the_ruling_form_shows_the_decision_appealed_against_and_who_may_rule(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = appealed_case(db, settings, clock, client)
    support.staff(db, "s2@staff.test", ["specialist"], name="鈴木次郎")
    sign_in(client, "s2@staff.test")
    page = client.get(f"/workspace/cases/{case_id}?lang=ja").text
    ruling = page[page.index('id="appeal-ruling"') :]
    assert "異議への判断" in ruling and "発信者からの異議" in ruling
    assert "投稿は事実に基づく論評であり" in ruling
    decided = ruling[ruling.index('id="appealed-decision"') : ruling.index("</dl>")]
    assert "投稿を削除" in decided or "削除" in decided
    assert "2.1 社会的評価を低下させる投稿" in decided and "2026.1" in decided
    assert "根拠が示されておらず" in decided and "山田花子" in decided
    assert (
        "あなたが判断できます" in ruling and 'id="ruling-form-title"' in ruling and 'id="preview"' in ruling
    )
    en = client.get(f"/workspace/cases/{case_id}?lang=en").text
    assert "The decision appealed against" in en and "Your ruling on the objection" in en


def test_the_person_who_decided_is_told_another_specialist_rules(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = appealed_case(db, settings, clock, client)
    sign_in(client, "s1@staff.test")
    page = client.get(f"/workspace/cases/{case_id}?lang=en").text
    assert "You made the decision appealed against, so another specialist must rule on it." in page


def test_a_reviewer_who_cannot_decide_sees_why(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    case_id = appealed_case(db, settings, clock, client)
    support.staff(db, "r@staff.test", ["reviewer"], name="高橋三郎")
    sign_in(client, "r@staff.test")
    page = client.get(f"/workspace/cases/{case_id}?lang=en").text
    assert "Only a specialist other than 山田花子, who decided, may rule on it" in page
    assert 'id="preview"' not in page
    fresh = support.file(db, settings, clock.now(), content_url="https://board.example/t/2#1")
    db.flush()
    assert 'id="cannot-decide"' in client.get(f"/workspace/cases/{fresh}?lang=en").text


def test_the_timeline_reads_in_words_without_raw_ids(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    from mamori.requests.store import add_event

    case_id = appealed_case(db, settings, clock, client)
    add_event(
        db, case_id, clock.now(), "notice_sent", "system", notice_kind="poster_measure", notice="vm:5287:abc"
    )
    db.flush()
    sign_in(client, "s1@staff.test")
    page = client.get(f"/workspace/cases/{case_id}?lang=en").text
    timeline = page[page.index('id="timeline"') : page.index("</ol>", page.index('id="timeline"'))]
    assert "vm:5287" not in timeline and "notice=" not in timeline and "decision=" not in timeline
    assert "Notice delivered" in timeline and "mamori (automatic)" in timeline
    assert "山田花子" in timeline and "user:" not in timeline
    sent = next(li for li in timeline.split("<li ") if 'data-kind="notice_sent"' in li)
    assert "notice_kind" not in sent and "poster_measure" not in sent.split(">", 1)[1]
    appealed = next(li for li in timeline.split("<li ") if 'data-kind="appealed"' in li)
    assert ">Poster<" in appealed
