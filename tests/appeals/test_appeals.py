"""Appeals: each side objects once per decision, only to what concerns it; another specialist rules,
and both sides are told the outcome with its reasons (read from the test SMTP server)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.appeals import service
from mamori.appeals.model import Side, may_appeal
from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.requests import service as requests
from mamori.requests.model import Stage
from tests.appeals.support import (
    FIRST,
    OBJECTION,
    REMOVED,
    REQUESTER_OBJECTION,
    SECOND,
    UPHELD,
    choice,
    decide,
    file,
)


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
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    refused("not_appealable", lambda: file(db, settings, clock, case_id, Side.POSTER))
    refused("not_appealable", lambda: file(db, settings, clock, case_id, Side.REQUESTER))


def test_the_poster_objects_to_a_measure_once_and_the_requester_may_not(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decision_id = decide(db, settings, clock, case_id, Measure.REMOVE)
    refused("not_appealable", lambda: file(db, settings, clock, case_id, Side.REQUESTER))
    file(db, settings, clock, case_id, Side.POSTER)
    case = requests.get_case_row(db, case_id)
    assert case.stage == Stage.APPEALED.value and case.assignee is None  # back in the common queue
    appeal = service.open_appeal(case_id, db=db)
    assert appeal is not None and appeal.decision_id == decision_id and appeal.reasons == OBJECTION
    refused("already_appealed", lambda: file(db, settings, clock, case_id, Side.POSTER))


def test_the_requester_objects_to_no_action_and_the_poster_may_not(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.NO_ACTION)
    refused("not_appealable", lambda: file(db, settings, clock, case_id, Side.POSTER))
    case = requests.get_case_row(db, case_id)
    state = service.state_for(case, Side.REQUESTER, db=db, settings=settings, now=clock.now())
    assert state.may_appeal and state.appeal is None
    file(db, settings, clock, case_id, Side.REQUESTER, REQUESTER_OBJECTION)
    refused("already_appealed", lambda: file(db, settings, clock, case_id, Side.REQUESTER))


def test_an_objection_needs_reasons(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    refused("reason_required", lambda: file(db, settings, clock, case_id, Side.POSTER, "  いやです  "))
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
    file(db, settings, clock, case_id, Side.POSTER)
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
    file(db, settings, clock, case_id, Side.POSTER)
    service.rule(
        case_id, choice(Measure.REMOVE, REMOVED), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    refused("not_appealable", lambda: file(db, settings, clock, case_id, Side.POSTER))


def test_the_other_side_may_object_to_a_ruling(
    db: Session, settings: Settings, clock: FixedClock, decided: tuple[str, Measure]
) -> None:
    case_id, _ = decided
    decide(db, settings, clock, case_id, Measure.REMOVE)
    file(db, settings, clock, case_id, Side.POSTER)
    service.rule(
        case_id, choice(Measure.NO_ACTION, UPHELD), db=db, settings=settings, at=clock.now(), by=SECOND
    )
    file(db, settings, clock, case_id, Side.REQUESTER, "論評ではなく虚偽の事実の摘示です。")
    assert service.open_appeal(case_id, db=db) is not None


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
    file(db, settings, clock, case_id, side, OBJECTION if side is Side.POSTER else REQUESTER_OBJECTION)
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
