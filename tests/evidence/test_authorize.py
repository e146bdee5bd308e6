"""`evidence.service.authorize`, object by object and role by role: a case's evidence is the platform
staff's, a consultation's is only for those it is shared with; every service entry point gives the same
answer as the rule, and a refusal writes nothing (no item, no ledger entry, no file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.core.errors import DomainError
from mamori.evidence import service
from mamori.evidence.model import Access
from mamori.evidence.settings import evidence_settings
from tests.evidence.factories import World, png, snapshot, upload, world

ALLOWED = None
# who -> (read, change): None where allowed, else the HTTP status of the refusal
CASE_RULE: dict[str, tuple[int | None, int | None]] = {
    "administrator": (ALLOWED, ALLOWED),
    "specialist": (ALLOWED, ALLOWED),
    "reviewer": (ALLOWED, ALLOWED),
    "legal_officer": (ALLOWED, 403),
    "auditor": (ALLOWED, 403),
    "counsellor": (403, 403),
    "supervisor": (403, 403),
    "author": (403, 403),
}
CONSULTATION_RULE: dict[str, tuple[int | None, int | None]] = {
    "author": (ALLOWED, ALLOWED),  # recorded it
    "colleague": (ALLOWED, ALLOWED),  # it was shared with them
    "supervisor": (ALLOWED, ALLOWED),  # its key is wrapped for every supervisor
    "stranger": (404, 404),  # a counsellor it was never shared with
    "counsellor": (404, 404),
    "administrator": (404, 404),
    "specialist": (404, 404),
    "reviewer": (404, 404),
    "legal_officer": (404, 403),  # may not change any evidence
    "auditor": (404, 403),
}
EVERYONE = sorted(set(CASE_RULE) | set(CONSULTATION_RULE) | {"stranger", "colleague"})


def expected(owner_type: str, who: str, action: Access) -> int | None:
    rule = CASE_RULE if owner_type == "case" else CONSULTATION_RULE
    read, change = rule.get(who, rule["counsellor"])
    return read if action is Access.read else change


def outcome(call: Callable[[], Any]) -> int | None:
    try:
        call()
    except DomainError as exc:
        return exc.status
    return None


@pytest.fixture
def w(db: Session, settings: Settings, clock: FixedClock) -> World:
    return world(db, settings, clock.now())


@pytest.mark.parametrize("who", EVERYONE)
def test_the_rule_for_each_person_and_each_owner(w: World, db: Session, who: str) -> None:
    principal = w.who(who).principal
    for owner_type, owner_id in (("case", w.case_id), ("consultation", w.consultation_id)):
        for action in Access:
            got = outcome(lambda: service.authorize(principal, owner_type, owner_id, action, db=db))
            assert got == expected(owner_type, who, action), (owner_type, who, action)


@pytest.mark.parametrize("who", EVERYONE)
def test_every_entry_point_answers_as_the_rule_and_a_refusal_writes_nothing(
    w: World, db: Session, settings: Settings, clock: FixedClock, who: str
) -> None:
    limits = evidence_settings(settings)
    case_item = upload(db, settings, clock, w.roles["specialist"].principal, "case", w.case_id)
    consult_item = upload(db, settings, clock, w.author.principal, "consultation", w.consultation_id)
    by = w.who(who).principal
    for owner_type, owner_id, item in (
        ("case", w.case_id, case_item),
        ("consultation", w.consultation_id, consult_item),
    ):
        reads: dict[str, Callable[[], Any]] = {
            "list": lambda: service.items_for(owner_type, owner_id, by=by, db=db),
            "item": lambda: service.get_item(item.id, by=by, db=db),
            "files": lambda: service.stored_files(item.id, by=by, db=db, settings=limits),
            "thumbnail": lambda: service.thumbnail(item.id, by=by, db=db, settings=limits),
            "report": lambda: service.report_for(
                owner_type, owner_id, by=by, db=db, settings=limits, clock=clock
            ),
            "download": lambda: service.export(
                item.id, by=by, reason="", db=db, settings=limits, clock=clock
            ),
        }
        changes: dict[str, Callable[[], Any]] = {
            "upload": lambda: service.upload(
                owner_type, owner_id, "x.png", png(), by=by, reason="", db=db, settings=limits, clock=clock
            ),
            "redaction": lambda: service.upload(
                owner_type,
                owner_id,
                "x.png",
                png((0, 0, 0)),
                by=by,
                reason="",
                db=db,
                settings=limits,
                clock=clock,
                redacts=item.id,
            ),
            "hand-over": lambda: service.hand_over(
                item.id, "山田弁護士", by=by, reason="", db=db, clock=clock
            ),
            "delete": lambda: service.delete(
                item.id, by=by, reason="求め", db=db, settings=limits, clock=clock
            ),
        }
        for action, calls in ((Access.read, reads), (Access.change, changes)):
            want = expected(owner_type, who, action)
            for name, call in calls.items():
                before = snapshot(db, limits.root)
                nested = db.begin_nested()
                got = outcome(call)
                after = snapshot(db, limits.root)
                nested.rollback()  # what was allowed is undone, so each entry point meets the same item
                assert got == want, (owner_type, who, name)
                if want is not None:
                    assert after == before, f"a refused {name} wrote something"


@pytest.mark.parametrize(
    ("owner_type", "owner_id", "field", "status"),
    [
        ("case", "..", "owner_id", 422),
        ("case", "a/b", "owner_id", 422),
        ("consultation", "", "owner_id", 422),
        ("consultation", "c-77", "owner_id", 422),
        ("consultation", "0" * 31 + "/", "owner_id", 422),
        ("tweet", "0" * 32, "owner_type", 422),
        ("case", "0" * 32, None, 404),
        ("consultation", "0" * 32, None, 404),
    ],
)
def test_an_owner_that_is_not_one_is_refused_before_anything_is_written(
    w: World,
    db: Session,
    settings: Settings,
    clock: FixedClock,
    owner_type: str,
    owner_id: str,
    field: str | None,
    status: int,
) -> None:
    limits = evidence_settings(settings)
    before = snapshot(db, limits.root)
    for by in (w.roles["specialist"].principal, w.author.principal):
        with pytest.raises(DomainError) as err:
            service.upload(
                owner_type, owner_id, "x.png", png(), by=by, reason="", db=db, settings=limits, clock=clock
            )
        assert err.value.status in (status, 403)  # 403: a counsellor asking about a case
        if err.value.status == status:
            assert err.value.field == field and err.value.ja and err.value.en
    assert snapshot(db, limits.root) == before
    assert not (limits.root / "items").exists()


@pytest.mark.parametrize("item_id", ["..", "a/b", "../../etc/passwd", "0" * 32, ""])
def test_an_item_id_that_is_not_one_is_not_found(w: World, db: Session, item_id: str) -> None:
    with pytest.raises(DomainError) as err:
        service.get_item(item_id, by=w.roles["administrator"].principal, db=db)
    assert err.value.status == 404


def test_a_redacted_copy_stays_with_its_originals_owner(
    w: World, db: Session, settings: Settings, clock: FixedClock, tmp_path: Path
) -> None:
    limits = evidence_settings(settings)
    specialist = w.roles["specialist"].principal
    original = upload(db, settings, clock, specialist, "case", w.case_id)
    other_case = world(db, settings, clock.now()).case_id
    with pytest.raises(DomainError) as err:
        service.upload(
            "case",
            other_case,
            "x.png",
            png(),
            by=specialist,
            reason="",
            db=db,
            settings=limits,
            clock=clock,
            redacts=original.id,
        )
    assert err.value.field == "redacts" and "same case" in err.value.en
