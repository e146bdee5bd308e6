"""Appeals: each side objects once per decision, only to what concerns it; another specialist rules,
and both sides are told the outcome with its reasons (read from the test SMTP server)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from mamori.appeals import service
from mamori.appeals.model import Side, may_appeal
from mamori.core.audit import Actor
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.requests import service as requests
from mamori.requests.model import Stage
from mamori.worker import deliver_due
from tests.support.smtp import MailSink, body_text
from tests.workspace import support

FIRST = Actor("user:first", frozenset({"specialist"}))
SECOND = Actor("user:second", frozenset({"specialist"}))
OBJECTION = "投稿は事実に基づく論評であり、削除には同意できません。"
UPHELD = "異議の理由を検討し、公益目的の論評の範囲内と判断しました。"
REMOVED = "根拠が示されておらず、特定の個人の社会的評価を低下させるため。"


def choice(measure: Measure, reason: str) -> decisions.DecisionInput:
    clause = "2.1" if measure.is_removal else None
    return decisions.DecisionInput(measure, "2026.1", clause, reason)


@pytest.fixture
def decided(db: Session, settings: Settings, clock: FixedClock) -> tuple[str, Measure]:
    """A case with a poster's contact, decided by the first specialist (measure set per test)."""
    support.board(db)
    support.published_criteria(db)
    case_id = support.file(db, settings, clock.now())
    support.with_poster(db, settings, case_id, clock.now())
    return case_id, Measure.REMOVE


def decide(db: Session, settings: Settings, clock: FixedClock, case_id: str, measure: Measure) -> str:
    reason = REMOVED if measure.is_removal else "論評の範囲内であり、削除の理由はありません。"
    return decisions.decide(
        case_id, choice(measure, reason), db=db, settings=settings, at=clock.now(), by=FIRST
    ).decision_id


def file(db: Session, clock: FixedClock, case_id: str, side: Side, reasons: str = OBJECTION) -> None:
    service.file_appeal(case_id, side, reasons, db=db, at=clock.advance(hours=1), by=Actor(f"{side}:x"))


def refused(code: str, action: object) -> None:
    with pytest.raises(DomainError) as caught:
        action()  # type: ignore[operator]
    assert caught.value.code == code


def test_who_may_object_to_what() -> None:
    assert may_appeal(Side.POSTER, Measure.REMOVE) and may_appeal(Side.POSTER, Measure.RESTRICT_VISIBILITY)
    assert not may_appeal(Side.POSTER, Measure.NO_ACTION)
    assert may_appeal(Side.REQUESTER, Measure.NO_ACTION)
    assert not may_appeal(Side.REQUESTER, Measure.REMOVE)


def test_nothing_can_be_appealed_before_a_decision(
    db: Session, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    refused("not_appealable", lambda: file(db, clock, case_id, Side.POSTER))
    refused("not_appealable", lambda: file(db, clock, case_id, Side.REQUESTER))


def test_the_poster_objects_to_a_measure_once_and_the_requester_may_not(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decision_id = decide(db, settings, clock, case_id, Measure.REMOVE)
    refused("not_appealable", lambda: file(db, clock, case_id, Side.REQUESTER))
    file(db, clock, case_id, Side.POSTER)
    case = requests.get_case_row(db, case_id)
    assert case.stage == Stage.APPEALED.value and case.assignee is None  # back in the common queue
    appeal = service.open_appeal(case_id, db=db)
    assert appeal is not None and appeal.decision_id == decision_id and appeal.reasons == OBJECTION
    refused("already_appealed", lambda: file(db, clock, case_id, Side.POSTER))


def test_the_requester_objects_to_no_action_and_the_poster_may_not(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    refused("not_appealable", lambda: file(db, clock, case_id, Side.POSTER))
    state = service.state_for(requests.get_case_row(db, case_id), Side.REQUESTER, db=db)
    assert state.may_appeal and state.appeal is None
    file(db, clock, case_id, Side.REQUESTER, "投稿は虚偽で、今も職場で話題にされています。")
    refused("already_appealed", lambda: file(db, clock, case_id, Side.REQUESTER))


def test_an_objection_needs_reasons(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    refused("reason_required", lambda: file(db, clock, case_id, Side.POSTER, "  いやです  "))
    assert service.open_appeal(case_id, db=db) is None


def test_the_specialist_who_decided_may_not_rule_on_the_appeal(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    refused(
        "no_open_appeal",
        lambda: service.rule(
            case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
        ),
    )
    file(db, clock, case_id, Side.POSTER)
    with pytest.raises(DomainError) as same:
        service.rule(
            case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=FIRST
        )
    assert same.value.code == "same_specialist" and same.value.status == 403
    outcome = service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    ruled = service.store.for_case(db, case_id)[0]
    assert ruled.ruled_by == SECOND.ident and ruled.ruling_decision_id == outcome.decision_id
    assert requests.get_case_row(db, case_id).stage == Stage.DECIDED.value
    assert decisions.latest(case_id, db=db).basis == "appeal_by_poster"  # type: ignore[union-attr]


def test_a_ruling_on_a_sides_own_objection_is_final_for_that_side(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    file(db, clock, case_id, Side.POSTER)
    service.rule(
        case_id, choice(Measure.REMOVE, REMOVED), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    refused("not_appealable", lambda: file(db, clock, case_id, Side.POSTER))


def test_the_other_side_may_object_to_a_ruling(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    file(db, clock, case_id, Side.POSTER)
    service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    file(db, clock, case_id, Side.REQUESTER, "論評ではなく虚偽の事実の摘示です。")
    assert service.open_appeal(case_id, db=db) is not None


Delivered = dict[str, list[tuple[str, str]]]  # recipient address → (notice kind, body) of each mail


@pytest.fixture
def deliver(
    mail: MailSink, session_factory: sessionmaker[Session], settings: Settings, clock: FixedClock
) -> Callable[[], Delivered]:
    """Run the outbox worker, then read every mail the test SMTP server received."""

    def run() -> Delivered:
        deliver_due(session_factory, settings, clock)
        return {
            address: [(m["X-Mamori-Notice"].split(";")[0], body_text(m)) for m in mail.to(address)]
            for address in ("ichiro@example.jp", "poster@example.org")
        }

    return run


def ruled(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    case_id: str,
    first: Measure,
    ruling: Measure,
    why: str,
) -> None:
    """The first specialist decides `first`; the side that may object does; the second rules `ruling`."""
    decide(db, settings, clock, case_id, first)
    side = Side.POSTER if first.is_removal else Side.REQUESTER
    file(
        db,
        clock,
        case_id,
        side,
        OBJECTION if side is Side.POSTER else "投稿は虚偽で、今も職場で話題にされています。",
    )
    service.rule(case_id, choice(ruling, why), db=db, settings=settings, at=clock.now(), by=SECOND)
    db.flush()


KEPT = "異議を検討しましたが、摘示された事実に根拠が示されていないため削除を維持します。"
AGAIN = "再検討しましたが、論評の範囲内であり削除の理由はないと判断しました。"


@pytest.mark.parametrize(
    ("first", "ruling", "why", "poster_kinds", "poster_says"),
    [
        # the poster's objection succeeds: the measure is lifted, the poster is told so (the
        # decision notices only speak of measures), the requester gets the new decision
        (
            Measure.REMOVE,
            Measure.NO_ACTION,
            UPHELD,
            ["poster_measure", "appeal_outcome_poster"],
            "lifted the measure",
        ),
        # the poster's objection fails: a new measure notice with the ruling's reason
        (Measure.REMOVE, Measure.REMOVE, KEPT, ["poster_measure", "poster_measure"], KEPT),
        # the requester's objection to no action fails: the poster, never told of a measure, gets nothing
        (Measure.NO_ACTION, Measure.NO_ACTION, AGAIN, [], None),
    ],
)
def test_the_outcome_of_an_objection_is_told_with_its_reasons(
    db: Session,
    settings: Settings,
    clock: FixedClock,
    decided: tuple[str, Measure],
    deliver: Any,
    first: Measure,
    ruling: Measure,
    why: str,
    poster_kinds: list[str],
    poster_says: str | None,
) -> None:
    ruled(db, settings, clock, decided[0], first, ruling, why)
    sent = deliver()
    assert [kind for kind, _ in sent["poster@example.org"]] == poster_kinds
    if poster_says:
        last = sent["poster@example.org"][-1][1]
        assert poster_says in last and why in last
    last_kind, last_body = sent["ichiro@example.jp"][-1]
    assert last_kind == "requester_decision"
    assert why in last_body  # after an objection the requester is always given the ruling's reason
    assert "異議の申立てを受けて" in last_body
    if first.is_removal and ruling.is_removal:  # the poster's objection failed: final for the poster
        last = sent["poster@example.org"][-1][1]
        assert "最終とします" in last and "/poster/" not in last
