"""The removal request and its legal clock, as the law states them. Pure: no web, no database.

情プラ法 Art. 22 (numbering of 2025-04-01): the window tells the requester the date and time of receipt.
情プラ法 Art. 25(1): the decision (or an extension ground) is notified within the ordinance period from
receipt: 7 days by default (to confirm), never more than 14.
Periods are counted as the Civil Code counts them: the day of receipt is not counted when the request
arrives after 0:00 (民法 Art. 140), and the period ends at the end of its last day (Art. 141), in JST.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass

from mamori.core.clock import JST, to_utc
from mamori.core.config import LEGAL_MAX_DECISION_PERIOD_DAYS


class Right(enum.StrEnum):
    """Rights a requester may claim were infringed (MISSION.md §4)."""

    REPUTATION = "名誉権"
    HONOUR_FEELINGS = "名誉感情"
    PRIVACY = "プライバシー"
    PORTRAIT = "肖像権"
    PEACE_OF_PRIVATE_LIFE = "私生活の平穏"
    BUSINESS = "営業権"
    OTHER = "その他"


class Stage(enum.StrEnum):
    """Where a case stands. Each move is an event with its own timestamp."""

    RECEIVED = "received"  # Art. 22: receipt recorded and told
    IN_REVIEW = "in_review"  # Art. 23: being investigated
    EXTENDED = "extended"  # Art. 25(1) proviso: an extension ground was notified
    DECIDED = "decided"  # decision taken and notices queued
    APPEALED = "appealed"
    CLOSED = "closed"


OPEN_STAGES = (Stage.RECEIVED, Stage.IN_REVIEW, Stage.EXTENDED, Stage.APPEALED)


class ClockState(enum.StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"  # no Art. 25 notice (decision or interim) delivered, and the period is over
    UNDELIVERED = "undelivered"  # a notice is written but not delivered (pending or failed) in the period
    ANSWERED = "answered"  # an Art. 25 notice was delivered within the period
    ANSWERED_LATE = "answered_late"
    FINAL_LATE = "final_late"  # told by an interim notice; the decision owed "without delay" is late
    NOT_OWED = "not_owed"  # an identical repeat of an answered request: no notice owed (Art. 25(1) proviso)


# The order a queue shows: what needs someone now first.
QUEUE_RANK = {
    ClockState.OVERDUE: 0,
    ClockState.UNDELIVERED: 1,
    ClockState.FINAL_LATE: 2,
    ClockState.DUE_SOON: 3,
    ClockState.ON_TIME: 4,
    ClockState.ANSWERED_LATE: 5,
    ClockState.ANSWERED: 5,
    ClockState.NOT_OWED: 6,
}


class PeriodError(ValueError):
    pass


def check_period(days: int) -> int:
    """A decision period must be 1..14 days (情プラ法 Art. 25(1): the ordinance may not exceed 14)."""
    if not 1 <= days <= LEGAL_MAX_DECISION_PERIOD_DAYS:
        raise PeriodError(
            f"通知期間は1日以上{LEGAL_MAX_DECISION_PERIOD_DAYS}日以内にしてください (情プラ法25条) / "
            f"the notice period must be 1 to {LEGAL_MAX_DECISION_PERIOD_DAYS} days (Art. 25)"
        )
    return days


def period_ends_at(start: dt.datetime, days: int) -> dt.datetime:
    """The last instant of a period of `days` days from `start`, as UTC: the one counting every period
    here uses (the Art. 25 deadline, the decision after an interim notice, appeals).

    民法 Art. 140: the initial day is not counted, unless the period starts at 0:00 sharp (JST);
    Art. 141: the period ends at the end of its last day. No extension when the last day is a holiday
    (Art. 142 is not applied: the platform's duties run every day).
    """
    if days < 1:
        raise ValueError(f"a period has at least 1 day, not {days}")
    local = to_utc(start).astimezone(JST)
    first_day = local.date() if local.time() == dt.time(0, 0) else local.date() + dt.timedelta(days=1)
    after_last_day = first_day + dt.timedelta(days=days)
    end = dt.datetime.combine(after_last_day, dt.time(0, 0), tzinfo=JST) - dt.timedelta(microseconds=1)
    return end.astimezone(dt.UTC)


def decision_due_at(received_at: dt.datetime, period_days: int) -> dt.datetime:
    """The last instant for the Art. 25 notice: end of the period's last day in JST, as UTC.

    A receipt at 0:00:00 JST sharp counts its own day (民法 Art. 140 proviso); any later receipt
    starts counting the next day. The period may not exceed 14 days (Art. 25(1)).
    """
    return period_ends_at(received_at, check_period(period_days))


def clock_state(
    *,
    now: dt.datetime,
    due_at: dt.datetime,
    told_at: dt.datetime | None,
    due_soon: dt.timedelta,
    undelivered: bool = False,
    final_due_at: dt.datetime | None = None,
    notice_owed: bool = True,
) -> ClockState:
    """Where a case stands against its Art. 25 deadline.

    情プラ法 Art. 25(1) (numbering of 2025-04-01): the requester must be *told* within the period, so
    only a delivered notice (`told_at`: the mail server accepted it) meets it; one that is written but
    pending or failed (`undelivered`) does not. After an interim notice the decision is owed "without
    delay": `final_due_at` is the deployment's target for it. No notice is owed for an identical
    repeat of a request that was answered (`notice_owed` False).
    """
    if not notice_owed:
        return ClockState.NOT_OWED
    if told_at is not None:
        if final_due_at is not None and now > final_due_at:
            return ClockState.FINAL_LATE
        return ClockState.ANSWERED if told_at <= due_at else ClockState.ANSWERED_LATE
    if now > due_at:
        return ClockState.OVERDUE
    if undelivered:
        return ClockState.UNDELIVERED
    if due_at - now <= due_soon:
        return ClockState.DUE_SOON
    return ClockState.ON_TIME


def final_decision_due_at(told_at: dt.datetime, target_days: int) -> dt.datetime:
    """The target for the decision after an interim notice delivered at `told_at` (Art. 25(1) proviso,
    "without delay"), counted like every period here."""
    return period_ends_at(told_at, target_days)


RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def new_receipt_number(received_at: dt.datetime) -> str:
    """R-<JST date of receipt>-<8 Crockford base32 characters, 40 random bits>: read aloud without ambiguity."""
    local = to_utc(received_at).astimezone(JST)
    bits = secrets.randbits(40)  # one draw, 5 bits a character (32 characters: each equally likely)
    tail = "".join(RECEIPT_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"R-{local:%Y%m%d}-{tail}"


def new_follow_secret() -> str:
    return secrets.token_urlsafe(18)


def normalise_for_matching(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def requester_key(secret: str, email: str) -> str:
    """A keyed hash of the requester's e-mail: finds repeat requests without storing the address in clear."""
    return hmac.new(secret.encode(), normalise_for_matching(email).encode(), hashlib.sha256).hexdigest()


def request_fingerprint(secret: str, email: str, content_url: str, rights: list[str], reason: str) -> str:
    """Same requester, same content, same rights and reason: an identical repeat (Art. 25(1) proviso)."""
    parts = [
        requester_key(secret, email),
        normalise_for_matching(content_url).rstrip("/"),
        ",".join(sorted(rights)),
        normalise_for_matching(reason),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Receipt:
    """What the requester is told at once (Art. 22)."""

    case_id: str
    receipt_number: str
    received_at: dt.datetime
    decision_due_at: dt.datetime
    follow_url: str
    follow_secret: str
    repeat_of: str | None


# What the requester tells us about danger in their own words (the reason), beside what the detection
# finds in the post: a stranger at their home, their address exposed, being followed or threatened.
# The post alone can look harmless (a photo of a front door) while the reason says a person is in danger.
_PLACE = r"(自宅|家|うち|住所|住まい|マンション|アパート|実家|職場|会社|勤務先|学校|最寄り駅)"
DANGER_CUES: dict[str, tuple[re.Pattern[str], ...]] = {
    "privacy": (
        re.compile(
            _PLACE
            + r"(に|まで|へ|の前|の近く|の周り).{0,12}(来た|来ました|来られ|来て|押しかけ|押し掛け|訪ねて|待ち伏せ|張り込)"
        ),
        re.compile(
            _PLACE + r"(が|を|も|まで).{0,12}(晒|さらさ|特定|突き止め|書き込まれ|載せられ|公開され|ばらされ)"
        ),
        re.compile(r"(知らない|見知らぬ)(人|男|女|者).{0,20}(来|訪|待ち伏せ|つけ)"),
        re.compile(r"(つきまと|付きまと|ストーカー|尾行|後をつけ|あとをつけ)"),
        re.compile(
            r"(stranger|someone|people|man|woman).{0,40}(came|come|showed up|turned up|waited).{0,30}"
            r"(home|house|door|work|school)|(my|our) (home )?address.{0,30}(posted|published|exposed|leaked)|"
            r"(posted|published|exposed|leaked).{0,30}(my|our) (home )?address|stalk|followed me",
            re.IGNORECASE,
        ),
    ),
    "threat": (
        re.compile(
            r"(殺す|殺して|殺され|殺害|ぶっ殺|刺す|刺して|燃やす|放火|爆破|危害を加え|襲う|襲わ|脅迫|脅され|脅し)"
        ),
        re.compile(
            r"\b(kill|murder|stab|burn down|bomb|threat(en)?(ed|s)?|harm me|hurt me)\b", re.IGNORECASE
        ),
    ),
}


def danger_in_reason(reason: str) -> list[str]:
    """The danger flags ("privacy": doxxing or a person at risk where they live, work or study; "threat")
    that the requester's own account of the harm shows."""
    text = unicodedata.normalize("NFKC", reason)
    return [flag for flag, cues in DANGER_CUES.items() if any(cue.search(text) for cue in cues)]
