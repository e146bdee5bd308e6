"""The provisos at their edges, as the law reads (情プラ法, numbering of 2025-04-01):

- Art. 25(1) proviso: no notice for an identical repeat request from the same requester, but only against
  a request that was *answered* (its decision delivered); the skip records the notice it relies on.
- Art. 27 proviso: no notice to a poster already told "for similar content": the same poster, a similar
  text (normalised), the same clause and a similar reason, counted only for a *delivered* notice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.notices import service as notices
from mamori.notices.model import NoticeKind
from mamori.requests import service as requests
from mamori.requests.model import ClockState
from mamori.worker import deliver_due, tick
from tests.factories import make_criteria, make_service, make_staff, request_payload
from tests.support.smtp import MailSink

REMOVE_REASON = "投稿は具体的な事実を摘示して申出者の社会的評価を低下させ、公益性も認められないため。"
INSULT_REASON = "投稿は申出者を侮辱する表現であり、社会通念上許される限度を超えるため。"
KEEP_REASON = "投稿は公共の事柄についての論評であり、削除の理由はありません。"
OTHER = {"name": "別人", "address": "大阪府大阪市1-1", "email": "other@example.com", "phone": "06-1234-5678"}


def setup(client: Any, db: Session) -> dict[str, str]:
    make_service(db)
    make_criteria(db)
    _user, token = make_staff(db, ["specialist"])
    return {"Authorization": f"Bearer {token}"}


def file(client: Any, **over: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/removal-requests", json=request_payload(**over))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def with_poster(client: Any, case_id: str, staff: dict[str, str]) -> None:
    answer = client.post(
        f"/api/v1/cases/{case_id}/poster",
        json={"account_id": "acct-7", "email": "poster@example.com"},
        headers=staff,
    )
    assert answer.status_code == 204, answer.text


def decide(
    client: Any, case_id: str, staff: dict[str, str], clause: str | None, reason: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "measure": "remove" if clause else "no_action",
        "criteria_version": "2026.1",
        "reason": reason,
    }
    if clause:
        body["clause"] = clause
    answer = client.post(f"/api/v1/cases/{case_id}/decision", headers=staff, json=body)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


# --- Art. 25(1) proviso ---------------------------------------------------------------------------


def test_an_identical_request_is_not_a_repeat_while_the_first_is_unanswered(
    client: Any, db: Session, settings: Settings, clock: FixedClock
) -> None:
    staff = setup(client, db)
    first = file(client)
    again = file(client)
    assert again["repeat_of"] is None  # the first was never answered: this one is owed its own notice
    assert decide(client, again["id"], staff, None, KEEP_REASON)["requester_notice"] == "queued"
    assert first["id"] != again["id"]


def test_a_repeat_of_an_answered_request_owes_no_notice_and_says_which_one_it_relies_on(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    staff = setup(client, db)
    first = file(client)
    decide(client, first["id"], staff, None, KEEP_REASON)
    deliver_due(session_factory, settings, clock)
    (answered,) = notices.delivered(db, [first["id"]], NoticeKind.REQUESTER_DECISION)
    repeat = file(client)
    assert repeat["repeat_of"] == first["id"]
    case = requests.get_case_row(db, repeat["id"])
    assert requests.clock_of(case, db=db, now=clock.now(), settings=settings) is ClockState.NOT_OWED
    clock.advance(days=30)
    assert tick(session_factory, settings, clock).deadlines_marked == []  # the sweep agrees with the queue
    assert decide(client, repeat["id"], staff, None, KEEP_REASON)["requester_notice"] == "skipped"
    skipped = next(n for n in notices.for_case(db, repeat["id"]) if n.status == "skipped")
    assert skipped.relies_on == answered.id and "25条1項ただし書" in (skipped.skip_reason or "")


# --- Art. 27 proviso ------------------------------------------------------------------------------


def told_once(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any
) -> tuple[dict[str, str], str]:
    """A poster told (delivered) of a removal under clause 2.1; returns (staff headers, that notice's id)."""
    staff = setup(client, db)
    first = file(client)
    with_poster(client, first["id"], staff)
    assert decide(client, first["id"], staff, "2.1", REMOVE_REASON)["poster_notice"] == "queued"
    deliver_due(session_factory, settings, clock)
    (notice,) = notices.delivered(db, [first["id"]], NoticeKind.POSTER_MEASURE)
    return staff, notice.id


def test_similar_text_at_another_url_relies_on_the_delivered_notice(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    staff, notice_id = told_once(client, db, settings, clock, session_factory)
    text = request_payload()["content_text"]
    respaced = " ".join(text)  # re-spaced and at another address: still the same post
    repost = file(client, requester=OTHER, content_url="https://board.example/copy/9", content_text=respaced)
    with_poster(client, repost["id"], staff)
    assert decide(client, repost["id"], staff, "2.1", REMOVE_REASON)["poster_notice"] == "skipped"
    skipped = next(n for n in notices.for_case(db, repost["id"]) if n.recipient == "poster")
    assert skipped.relies_on == notice_id and "27条ただし書" in (skipped.skip_reason or "")


def test_the_same_url_with_a_new_clause_and_reason_is_told_again(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    staff, _ = told_once(client, db, settings, clock, session_factory)
    again = file(client, requester=OTHER, rights=["名誉感情"])
    with_poster(client, again["id"], staff)
    assert decide(client, again["id"], staff, "3.1", INSULT_REASON)["poster_notice"] == "queued"


def test_a_different_post_by_the_same_poster_is_told(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    staff, _ = told_once(client, db, settings, clock, session_factory)
    other_post = file(
        client,
        requester=OTHER,
        content_url="https://board.example/t/55",
        content_text="全く別の話題について書いた投稿です。",
    )
    with_poster(client, other_post["id"], staff)
    assert decide(client, other_post["id"], staff, "2.1", REMOVE_REASON)["poster_notice"] == "queued"


def test_a_notice_pending_then_failed_is_not_relied_on(
    client: Any, db: Session, settings: Settings, clock: FixedClock, session_factory: Any, mail: MailSink
) -> None:
    staff = setup(client, db)
    settings = settings.model_copy(update={"outbox_max_attempts": 1})
    first = file(client)
    with_poster(client, first["id"], staff)
    decide(client, first["id"], staff, "2.1", REMOVE_REASON)
    mail.refuse = True
    deliver_due(session_factory, settings, clock)  # refused: failed for good
    db.expire_all()
    assert notices.delivered(db, [first["id"]], NoticeKind.POSTER_MEASURE) == []
    second = file(client, requester=OTHER)
    with_poster(client, second["id"], staff)
    assert decide(client, second["id"], staff, "2.1", REMOVE_REASON)["poster_notice"] == "queued"
