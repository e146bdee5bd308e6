"""A reporting year of cases in every state, built through the services (TEST FIXTURES, not demo data).

Reporting year 2026 runs 2026-04-01 00:00 JST to 2027-03-31 24:00 JST. The year holds cases received,
in review, extended on each ground, decided with each measure (in time and late), answered and not,
appealed by each side (reversed, upheld, still open), inquiries in each outcome, an identical repeat
(no notice owed), requests from the public, a trusted body and a court, on two services; and one case
on each side of both year boundaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from mamori.appeals import service as appeals
from mamori.appeals.model import Side
from mamori.core import auth
from mamori.core.audit import Actor
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.criteria.model import Measure
from mamori.decisions import service as decisions
from mamori.decisions.model import ExtensionGround
from mamori.inquiry import service as inquiry
from mamori.inquiry.store import InquiryRow
from mamori.requests import service as requests
from mamori.worker import deliver_due
from tests.factories import make_criteria, make_service

PASSWORD = "a long enough staff password"
SYSTEM = Actor.system()
REMOVED = "根拠のない事実の摘示で、特定の個人の社会的評価を低下させるため。"
NOT_REMOVED = "公益目的の論評の範囲内であり、削除の理由はありません。"
RULED = "異議の理由を検討し、元の判断を見直しました。"


def jst(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=JST)  # type: ignore[misc]


@dataclass
class Year:
    """Ids of what was built, by the role each plays in the checks."""

    cases: dict[str, str] = field(default_factory=dict)
    specialists: list[auth.UserRow] = field(default_factory=list)
    open_appeal_case: str = ""
    unanswered_case: str = ""


class Builder:
    def __init__(self, db: Session, settings: Settings, clock: FixedClock, factory: sessionmaker[Session]):
        self.db, self.settings, self.clock, self.factory = db, settings, clock, factory
        self.n = 0

    def at(self, when: dt.datetime) -> dt.datetime:
        self.clock.set(when)
        return self.clock.now()

    def deliver(self) -> None:
        self.db.flush()  # the worker's sessions share this transaction and must see everything
        deliver_due(self.factory, self.settings, self.clock)
        self.db.expire_all()

    def file(self, when: dt.datetime, **over: Any) -> str:
        self.n += 1
        fields: dict[str, Any] = {
            "service": "board",
            "content_url": f"https://board.example/t/{self.n}",
            "content_text": f"投稿{self.n}: 田中{self.n}郎は会社の金を横領している",
            "rights": ["名誉権"],
            "reason": f"事実無根で、職場で噂になっています (件{self.n})。",
            "requester": requests.Requester(
                f"申出者{self.n}", "東京都千代田区1-1", f"requester{self.n}@example.jp", "03-0000-0000"
            ),
            "show_name_to_poster": False,
            "declaration_true": True,
            "source": "web",
        }
        fields.update(over)
        case_id = requests.file_request(
            requests.RequestForm(**fields), db=self.db, settings=self.settings, at=self.at(when), by=SYSTEM
        ).case_id
        requests.record_poster(
            case_id,
            requests.Poster(f"acct-{self.n}", f"poster{self.n}@example.org", "投稿者"),
            db=self.db,
            settings=self.settings,
            at=self.clock.now(),
            by=SYSTEM,
        )
        return case_id

    def decide(self, case_id: str, when: dt.datetime, measure: Measure, by: Actor) -> str:
        clause = "2.1" if measure.is_removal else None
        reason = REMOVED if measure.is_removal else NOT_REMOVED
        return decisions.decide(
            case_id,
            decisions.DecisionInput(measure, "2026.1", clause, reason),
            db=self.db,
            settings=self.settings,
            at=self.at(when),
            by=by,
        ).decision_id

    def extend(self, case_id: str, when: dt.datetime, ground: ExtensionGround, by: Actor) -> None:
        reason = "システム障害により確認が遅れているため。" if ground.needs_reason else ""
        decisions.extend(case_id, ground, reason, db=self.db, settings=self.settings, at=self.at(when), by=by)

    def appeal(self, case_id: str, when: dt.datetime, side: Side) -> None:
        appeals.file_appeal(
            case_id,
            side,
            "判断に納得できません。理由をもう一度確認してください。",
            db=self.db,
            settings=self.settings,
            at=self.at(when),
            by=Actor(f"{side.value}:x"),
        )

    def rule(self, case_id: str, when: dt.datetime, measure: Measure, by: Actor) -> None:
        clause = "2.1" if measure.is_removal else None
        appeals.rule(
            case_id,
            decisions.DecisionInput(measure, "2026.1", clause, RULED),
            db=self.db,
            settings=self.settings,
            at=self.at(when),
            by=by,
        )

    def inquire(self, case_id: str, when: dt.datetime, by: Actor, outcome: str | None = None) -> None:
        row = inquiry.send_inquiry(
            case_id, inquiry.ElectionClaim(), db=self.db, settings=self.settings, at=self.at(when), by=by
        )
        if outcome is not None:  # the poster's answer (or the window's end), as the row records it
            stored = self.db.get(InquiryRow, row.id)
            assert stored is not None
            stored.status = outcome
            requests.set_inquiry_state(requests.get_case_row(self.db, case_id), outcome)
            self.db.flush()


def build_year(db: Session, settings: Settings, clock: FixedClock, factory: sessionmaker[Session]) -> Year:
    """Every state a case can be in, across reporting year 2026 and its neighbours."""
    b = Builder(db, settings, clock, factory)
    year = Year()
    make_service(db, "board")
    make_service(db, "video")
    make_criteria(db)
    for email, at in (
        ("a@spec.example", jst(2026, 1, 1)),
        ("b@spec.example", jst(2026, 1, 1)),
        ("late@spec.example", jst(2027, 5, 1)),  # appointed after the year
        ("gone@spec.example", jst(2026, 1, 1)),  # no longer active
    ):
        year.specialists.append(
            auth.create_user(email, "専門員", ["specialist"], PASSWORD, db=db, at=at, by=SYSTEM)
        )
    auth.create_user(
        "rev@spec.example",
        "審査員",
        ["reviewer", "specialist"],
        PASSWORD,
        db=db,
        at=jst(2026, 1, 1),
        by=SYSTEM,
    )
    year.specialists[3].active = False
    db.flush()
    a, bb = year.specialists[0].actor(), year.specialists[1].actor()

    # the year before, to its last second; the first second of the year
    year.cases["before"] = b.file(jst(2026, 3, 31, 23, 59, 59))
    first = year.cases["first"] = b.file(jst(2026, 4, 1, 0, 0, 0))
    b.deliver()
    b.decide(first, jst(2026, 4, 2, 10), Measure.REMOVE, a)
    b.deliver()

    # two rights, from a trusted body, on the video service: not removed, told in time
    trusted = year.cases["trusted"] = b.file(
        jst(2026, 5, 1, 9),
        service="video",
        rights=["名誉権", "プライバシー"],
        source="trusted",
        trusted_source="法務局",
    )
    b.decide(trusted, jst(2026, 5, 3, 9), Measure.NO_ACTION, a)
    b.deliver()
    # from a court, by the API; restricted; a portrait and the peace of private life
    court = year.cases["court"] = b.file(
        jst(2026, 6, 1, 9), source="court", rights=["肖像権", "私生活の平穏"]
    )
    api = year.cases["api"] = b.file(jst(2026, 6, 1, 10), source="api", rights=["営業権"])
    requests.score_unscored(db=db, settings=settings)  # the automated detection scores what is there now
    b.decide(court, jst(2026, 6, 2, 9), Measure.RESTRICT_VISIBILITY, a)
    b.decide(api, jst(2026, 6, 2, 10), Measure.SUSPEND_ACCOUNT, a)
    b.deliver()

    # extensions on each ground; the inquiry extends by hearing the poster
    heard = year.cases["heard"] = b.file(jst(2026, 7, 1, 9))
    b.inquire(heard, jst(2026, 7, 2, 9), a, outcome="consented")
    b.deliver()
    b.decide(heard, jst(2026, 7, 20, 9), Measure.REMOVE, a)
    b.deliver()
    waiting = year.cases["waiting"] = b.file(jst(2026, 7, 5, 9), rights=["名誉感情"])
    b.inquire(waiting, jst(2026, 7, 6, 9), a)
    b.deliver()
    objected = year.cases["objected"] = b.file(jst(2026, 7, 7, 9))
    b.inquire(objected, jst(2026, 7, 8, 9), a, outcome="objected")
    lapsed = year.cases["lapsed"] = b.file(jst(2026, 7, 9, 9))
    b.inquire(lapsed, jst(2026, 7, 9, 12), a, outcome="lapsed")
    b.deliver()
    investigated = year.cases["investigated"] = b.file(jst(2026, 8, 1, 9), rights=["その他"])
    b.extend(investigated, jst(2026, 8, 3, 9), ExtensionGround.SPECIALIST_INVESTIGATION, a)
    b.deliver()
    b.decide(investigated, jst(2026, 8, 20, 9), Measure.REMOVE, a)
    unavoidable = year.cases["unavoidable"] = b.file(jst(2026, 8, 2, 9))
    b.extend(unavoidable, jst(2026, 8, 4, 9), ExtensionGround.UNAVOIDABLE, a)
    b.deliver()

    # received and never answered (overdue); in review; answered late
    year.unanswered_case = year.cases["unanswered"] = b.file(jst(2026, 9, 1, 9))
    late = year.cases["late"] = b.file(jst(2026, 9, 2, 9))
    b.deliver()
    b.decide(late, jst(2026, 9, 20, 9), Measure.NO_ACTION, a)
    b.deliver()

    # appeals: the poster's reversed, the requester's upheld, one still open
    reversed_case = year.cases["reversed"] = b.file(jst(2026, 10, 1, 9))
    b.decide(reversed_case, jst(2026, 10, 2, 9), Measure.REMOVE, a)
    b.deliver()
    b.appeal(reversed_case, jst(2026, 10, 3, 9), Side.POSTER)
    b.rule(reversed_case, jst(2026, 10, 5, 9), Measure.NO_ACTION, bb)
    upheld = year.cases["upheld"] = b.file(jst(2026, 10, 10, 9))
    b.decide(upheld, jst(2026, 10, 11, 9), Measure.NO_ACTION, a)
    b.deliver()
    b.appeal(upheld, jst(2026, 10, 12, 9), Side.REQUESTER)
    b.rule(upheld, jst(2026, 10, 14, 9), Measure.NO_ACTION, bb)
    year.open_appeal_case = year.cases["open_appeal"] = b.file(jst(2027, 3, 1, 9))
    b.decide(year.open_appeal_case, jst(2027, 3, 2, 9), Measure.REMOVE, a)
    b.deliver()
    b.appeal(year.open_appeal_case, jst(2027, 3, 5, 9), Side.POSTER)
    b.deliver()

    # an identical repeat of the first request (answered): no Art. 25 notice is owed
    first_form = {
        "content_url": "https://board.example/t/2",
        "content_text": "投稿2: 田中2郎は会社の金を横領している",
        "reason": "事実無根で、職場で噂になっています (件2)。",
        "requester": requests.Requester(
            "申出者2", "東京都千代田区1-1", "requester2@example.jp", "03-0000-0000"
        ),
    }
    repeat = year.cases["repeat"] = b.file(jst(2026, 11, 1, 9), **first_form)
    b.decide(repeat, jst(2026, 11, 2, 9), Measure.REMOVE, a)
    b.deliver()

    # the last second of the year, and the first second of the next
    year.cases["last"] = b.file(jst(2027, 3, 31, 23, 59, 59), service="video")
    year.cases["next"] = b.file(jst(2027, 4, 1, 0, 0, 0))
    b.deliver()
    b.at(jst(2027, 5, 1, 10))
    return year
