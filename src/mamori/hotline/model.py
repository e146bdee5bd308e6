"""The hotline's desk as rules: who may file for whom, the child's consent, the hotline's criteria one by
one, and the letter to a platform abroad. Pure: no database, no web, no network.

The model is the 誹謗中傷ホットライン (Safer Internet Association): it takes reports from the person harmed
and, when that person is a child, also from a guardian or school staff (seed 002, 総務省 2025-11); it
notifies providers asking them to act under their own terms when a post meets its criteria.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

ADULT_AGE = 18  # 民法 Art. 4 (since 2022-04-01)


class Filer(enum.StrEnum):
    SELF = "self"  # the person harmed
    GUARDIAN = "guardian"  # 保護者, only for a child
    SCHOOL = "school"  # 学校関係者, only for a child


class Harm(enum.StrEnum):
    DEFAMATION = "defamation"  # 名誉毀損
    INSULT = "insult"  # 侮辱
    PRIVACY = "privacy"  # プライバシー侵害
    OTHER = "other"


# The right a platform's mamori is asked about for each kind of harm (requests.model.Right values).
RIGHT_FOR_HARM = {
    Harm.DEFAMATION: "名誉権",
    Harm.INSULT: "名誉感情",
    Harm.PRIVACY: "プライバシー",
    Harm.OTHER: "その他",
}


class Criterion(enum.StrEnum):
    """The hotline's criteria, each recorded on its own; a report qualifies only if all three hold."""

    IDENTIFIABLE_PERSON = "identifiable_person"  # 特定の実在する人物についての投稿
    NO_PUBLIC_INTEREST = "no_public_interest"  # 公共性・公益性が明らかにない
    BEYOND_TOLERABLE = "beyond_tolerable"  # 社会的評価の低下・受忍限度を超える侮辱


# Why a report does not qualify: the first criterion that fails names the reason.
NOT_QUALIFYING_REASON = {
    Criterion.IDENTIFIABLE_PERSON: "not_identifiable",
    Criterion.NO_PUBLIC_INTEREST: "public_interest",
    Criterion.BEYOND_TOLERABLE: "within_tolerable_limits",
}


class Status(enum.StrEnum):
    RECEIVED = "received"
    NOT_QUALIFYING = "not_qualifying"
    QUALIFYING = "qualifying"
    NOTIFIED = "notified"
    CLOSED = "closed"  # the platform answered


class Outcome(enum.StrEnum):
    PENDING = "pending"
    REMOVED = "removed"  # removed, or visibility restricted / account suspended (削除等)
    NOT_REMOVED = "not_removed"


def outcome_of_measure(measure: str | None) -> Outcome:
    """A platform's decision (its mamori's measure) as the hotline counts it."""
    if measure is None:
        return Outcome.PENDING
    return Outcome.NOT_REMOVED if measure == "no_action" else Outcome.REMOVED


class ChildRuleError(ValueError):
    def __init__(self, field: str, ja: str, en: str) -> None:
        super().__init__(en)
        self.field, self.ja, self.en = field, ja, en


def age_band(age: int) -> str:
    """What is kept of a child's age: a band, never the age or a birth date."""
    for low, high in ((0, 5), (6, 8), (9, 11), (12, 14), (15, 17)):
        if low <= age <= high:
            return f"{low}-{high}"
    raise ChildRuleError("child_age", "18歳未満の年齢を入力してください。", "Enter an age under 18.")


@dataclass(frozen=True)
class ChildFacts:
    """What is kept about the child: an age band, and their consent where they are old enough to give it."""

    band: str | None
    consent: bool | None


def child_facts(
    filer: Filer, *, child: bool, age: int | None, child_consent: bool, consent_age: int
) -> ChildFacts:
    """Apply the desk's rule for children.

    - A guardian or school staff may file only for a child (under 18): the hotline takes their reports
      when the person harmed is a child (seed 002).
    - From `consent_age` (MAMORI_HOTLINE_CHILD_CONSENT_AGE, default 12: roughly the age from which a
      child can judge what sending a report about them means, as Japanese practice on personal data
      treats children of 12-15) the child's own consent is required; below it, the adult decides.
    - A child filing for themselves consents by filing.
    """
    if filer is not Filer.SELF and not child:
        raise ChildRuleError(
            "child",
            "保護者・学校関係者からの通報は、被害を受けたのが子ども (18歳未満) の場合に受け付けます。",
            "A guardian or school staff may report only when the person harmed is a child (under 18).",
        )
    if not child:
        return ChildFacts(None, None)
    if age is None or not 0 <= age < ADULT_AGE:
        raise ChildRuleError(
            "child_age", "子どもの年齢 (18歳未満) を入力してください。", "Enter the child's age (under 18)."
        )
    band = age_band(age)
    if filer is Filer.SELF:
        return ChildFacts(band, True)
    if age >= consent_age:
        if not child_consent:
            raise ChildRuleError(
                "child_consent",
                f"{consent_age}歳以上のお子さんの場合は、通報することについて本人の同意が必要です。先にお子さんと話してください。",
                f"For a child aged {consent_age} or over, the child's own consent to this report is needed. "
                "Talk with the child first.",
            )
        return ChildFacts(band, True)
    return ChildFacts(band, None)


@dataclass(frozen=True)
class Assessment:
    identifiable_person: bool
    no_public_interest: bool
    beyond_tolerable: bool
    note: str = ""

    @property
    def qualifies(self) -> bool:
        return self.identifiable_person and self.no_public_interest and self.beyond_tolerable

    @property
    def reason(self) -> str | None:
        """The reason a report does not qualify (the first criterion that fails), or None."""
        for criterion, held in (
            (Criterion.IDENTIFIABLE_PERSON, self.identifiable_person),
            (Criterion.NO_PUBLIC_INTEREST, self.no_public_interest),
            (Criterion.BEYOND_TOLERABLE, self.beyond_tolerable),
        ):
            if not held:
                return NOT_QUALIFYING_REASON[criterion]
        return None


def content_key(url: str) -> str:
    """One key per post however its URL was typed: identical reports share it."""
    normal = " ".join(unicodedata.normalize("NFKC", url).casefold().split()).rstrip("/")
    return hashlib.sha256(normal.encode()).hexdigest()


def reporter_key(secret: str, email: str) -> str:
    """A keyed hash of the reporter's e-mail: their record and rate without the address in clear."""
    normal = unicodedata.normalize("NFKC", email).strip().casefold()
    return hmac.new(secret.encode(), b"hotline-reporter:" + normal.encode(), hashlib.sha256).hexdigest()


def report_number(at: dt.datetime, sequence: int) -> str:
    return f"H-{at:%Y}-{sequence:06d}"


def follow_up_due(sent_at: dt.datetime, days: int) -> dt.datetime:
    return sent_at + dt.timedelta(days=days)


LETTER = {
    "ja": (
        "【{hotline}】削除等のご検討のお願い ({number})",
        "{platform} ご担当者様\n\n"
        "{hotline}は、インターネット上の誹謗中傷に関する通報を受け付け、当団体の基準に照らして判断しています。\n"
        "下記の投稿は、次の基準のすべてに該当すると判断しました。\n"
        "  ・特定の実在する人物についての投稿であること\n"
        "  ・公共性・公益性が明らかにないこと\n"
        "  ・社会的評価を低下させる、または受忍限度を超える侮辱であること\n\n"
        "貴社の利用規約に基づき、削除等の措置をご検討くださいますようお願いいたします。\n\n"
        "通報番号: {number}\n投稿の URL: {url}\n投稿の内容:\n{text}\n\n当団体の判断: {note}\n\n"
        "ご対応の結果を、このメールへの返信でお知らせいただければ幸いです。\n{hotline}\n",
    ),
    "en": (
        "[{hotline}] Request to consider removal ({number})",
        "To the team at {platform}\n\n"
        "{hotline} receives reports of online abuse in Japan and assesses them against its criteria.\n"
        "We found that the post below meets all of them:\n"
        "  - it concerns an identifiable real person;\n"
        "  - it clearly serves no public interest;\n"
        "  - it lowers the person's social standing or insults them beyond tolerable limits.\n\n"
        "We ask you to consider removing it or taking other action under your terms of service.\n\n"
        "Report number: {number}\nURL of the post: {url}\nWhat the post says:\n{text}\n\nOur assessment: {note}\n\n"
        "We would be grateful if you told us what you decided by replying to this e-mail.\n{hotline}\n",
    ),
}


def compose_letter(lang: str, **fields: str) -> tuple[str, str]:
    """(subject, body) of the notice to a platform that does not run mamori, in Japanese or English."""
    subject, body = LETTER["en" if lang == "en" else "ja"]
    return subject.format(**fields), body.format(**fields)
