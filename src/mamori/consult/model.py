"""The consultation map (相談窓口の案内図, MISSION.md §2) and the counsellors' record, as plain data.

The map is a tree of questions; each answer leads to another question or to a result that recommends
help bodies by stable id. Nothing here knows about files, databases or the web.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

TEXT_LANGS = ("ja", "en", "ja-easy")
REQUIRED_TEXT_LANGS = ("ja", "en")
FLAGS = frozenset({"minor"})


@dataclass(frozen=True)
class Text:
    """One string in Japanese, English and (optionally) やさしい日本語, which falls back to Japanese."""

    ja: str
    en: str
    easy: str | None = None

    def __call__(self, lang: str) -> str:
        if lang == "en":
            return self.en
        if lang == "ja-easy":
            return self.easy or self.ja
        return self.ja

    def as_json(self) -> dict[str, str]:
        out = {"ja": self.ja, "en": self.en}
        if self.easy:
            out["ja-easy"] = self.easy
        return out


@dataclass(frozen=True)
class Reach:
    """One way to contact a body: a phone number, a web address or a mail address."""

    kind: str  # phone | web | mail
    value: str
    label: Text | None = None

    @property
    def href(self) -> str:
        if self.kind == "phone":
            return "tel:" + self.value.replace("-", "").replace("#", "%23")
        if self.kind == "mail":
            return "mailto:" + self.value
        return self.value


@dataclass(frozen=True)
class Body:
    """A place that helps (相談窓口): what it does, what it does not, how to reach it, what to bring."""

    id: str
    name: Text
    does: Text
    does_not: Text
    reach: tuple[Reach, ...]
    prepare: Text
    source: str
    checked: dt.date
    confirm: bool = False


@dataclass(frozen=True)
class Answer:
    id: str
    label: Text
    next: str
    sets: str | None = None  # a flag this answer sets, e.g. "minor"


@dataclass(frozen=True)
class Node:
    """A question (with answers) or a result (recommending bodies); never both."""

    id: str
    question: Text | None = None
    answers: tuple[Answer, ...] = ()
    result: Text | None = None
    recommend: tuple[str, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return self.result is not None

    def answer(self, answer_id: str) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)


@dataclass(frozen=True)
class AlwaysOffer:
    """A body offered on every result page, or only when a flag is set (a minor: a trusted adult)."""

    body: str
    when: str | None = None


@dataclass(frozen=True)
class Tree:
    start: str
    nodes: Mapping[str, Node]
    always: tuple[AlwaysOffer, ...]
    source: str
    checked: dt.date


@dataclass(frozen=True)
class ServiceGuide:
    """How to put distance between oneself and the abuse on one service, and where to report it."""

    id: str
    name: Text
    designated: bool  # a large platform designated under 情プラ法 Art. 20
    mute: Text
    block: Text
    limit_replies: Text
    report: Text
    window_url: str  # the service's removal-request window (情プラ法 Art. 22)
    window_note: Text
    source: str
    checked: dt.date
    confirm: bool = False
    # The steps in the order a person should take them (save the evidence first), with their texts.
    steps: tuple[tuple[str, Text], ...] = ()
    if_refused: Text | None = None  # the other routes when the service will not remove
    requests_public: bool = False  # the board publishes removal requests (the report text warns of it)


@dataclass(frozen=True)
class ConsultMap:
    """Everything the guided consultation serves: the tree, the bodies and the service guides."""

    tree: Tree
    bodies: Mapping[str, Body]
    services: Mapping[str, ServiceGuide]


@dataclass(frozen=True)
class Step:
    """Where a person stands after some answers: the node shown now, the flags set and the answers kept."""

    node: Node
    answers: tuple[str, ...]
    flags: frozenset[str]

    @property
    def back(self) -> tuple[str, ...] | None:
        return self.answers[:-1] if self.answers else None


class UnknownAnswer(ValueError):
    """An answer that is not one of the current question's answers (a hand-edited link)."""


def walk(tree: Tree, answers: Sequence[str]) -> Step:
    """Follow the answers from the start; an answer that does not fit raises UnknownAnswer."""
    node = tree.nodes[tree.start]
    flags: set[str] = set()
    for index, answer_id in enumerate(answers):
        chosen = node.answer(answer_id)
        if chosen is None:
            raise UnknownAnswer(f"answer {index + 1} ({answer_id!r}) does not fit question {node.id!r}")
        if chosen.sets:
            flags.add(chosen.sets)
        node = tree.nodes[chosen.next]
    return Step(node, tuple(answers), frozenset(flags))


def recommended(tree: Tree, step: Step) -> tuple[list[str], list[str]]:
    """(the result's own bodies, the bodies always offered for these flags), without repeats."""
    main = list(step.node.recommend)
    extra = [
        offer.body
        for offer in tree.always
        if (offer.when is None or offer.when in step.flags) and offer.body not in main
    ]
    return main, extra


def all_paths(tree: Tree) -> Iterator[tuple[tuple[str, ...], Node]]:
    """Every path of answers from the start to a result, with that result (the tree has no cycles)."""

    def descend(node: Node, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Node]]:
        if node.is_leaf:
            yield path, node
            return
        for answer in node.answers:
            yield from descend(tree.nodes[answer.next], (*path, answer.id))

    yield from descend(tree.nodes[tree.start], ())


# ---------------------------------------------------------------- the counsellors' record


class Category(enum.StrEnum):
    """What the consultation was about (counted in the analysis)."""

    DEFAMATION = "defamation"  # 名誉毀損
    INSULT = "insult"  # 侮辱・名誉感情
    PRIVACY = "privacy"  # プライバシー・晒し
    THREAT = "threat"  # 脅迫
    DISCRIMINATION = "discrimination"
    IMAGE = "image"  # 画像・肖像権
    IMPERSONATION = "impersonation"  # なりすまし
    OTHER = "other"


class Outcome(enum.StrEnum):
    OPEN = "open"
    ADVISED = "advised"  # advice given, the person acts
    REFERRED = "referred"
    REMOVED = "removed"  # the post was removed
    NOT_REMOVED = "not_removed"
    CLOSED_NO_CONTACT = "closed_no_contact"
    WITHDRAWN = "withdrawn"


CATEGORY_LABEL: dict[Category, Text] = {
    Category.DEFAMATION: Text("名誉毀損", "Defamation"),
    Category.INSULT: Text("侮辱", "Insult"),
    Category.PRIVACY: Text("プライバシー侵害", "Privacy"),
    Category.THREAT: Text("脅迫", "Threat"),
    Category.DISCRIMINATION: Text("差別", "Discrimination"),
    Category.IMAGE: Text("画像・肖像権", "Images / likeness"),
    Category.IMPERSONATION: Text("なりすまし", "Impersonation"),
    Category.OTHER: Text("その他", "Other"),
}
OUTCOME_LABEL: dict[Outcome, Text] = {
    Outcome.OPEN: Text("対応中", "Open"),
    Outcome.ADVISED: Text("助言済み", "Advised"),
    Outcome.REFERRED: Text("他機関へ紹介", "Referred"),
    Outcome.REMOVED: Text("削除された", "Removed"),
    Outcome.NOT_REMOVED: Text("削除されなかった", "Not removed"),
    Outcome.CLOSED_NO_CONTACT: Text("連絡なしで終了", "Closed, no contact"),
    Outcome.WITHDRAWN: Text("取り下げ", "Withdrawn"),
}


@dataclass(frozen=True)
class Contact:
    """Contact details the person agreed to give (all optional; anonymous when all are empty)."""

    name: str = ""
    phone: str = ""
    email: str = ""

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.phone or self.email)


@dataclass(frozen=True)
class FollowUp:
    at: dt.datetime
    by: str
    note: str


@dataclass(frozen=True)
class ConsultationContent:
    """The personal part of a record: kept only encrypted, erased at the end of the retention period."""

    summary: str
    advice: str
    contact: Contact = field(default_factory=Contact)
    follow_ups: tuple[FollowUp, ...] = ()


def retention_ends(opened_at: dt.datetime, retention_days: int) -> dt.datetime:
    """When a record's personal data must be erased (its counts stay)."""
    return opened_at + dt.timedelta(days=retention_days)
