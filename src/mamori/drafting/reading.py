"""Reading a draft from JSON (API, CLI file) into the model, naming every field that cannot be read.

The reader is lenient about absence (a missing field becomes empty and the model's checks say what is
needed) and strict about type (a number where a list belongs is named here, never guessed at) and about
invisible characters: no field carries control or bidi characters, and only the free-text fields
(`MULTI_LINE`) carry line breaks (`mamori.core.text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from mamori.core.errors import FieldProblem
from mamori.core.text import text_problem
from mamori.drafting.model import (
    DeletionRequest,
    DisclosureItem,
    DisclosureRequest,
    EvidenceRef,
    LoginCondition,
    ProviderKind,
    Purpose,
    Requester,
    Right,
    Withheld,
    draft_invalid,
    ensure_deletion,
    ensure_disclosure,
    problem,
)

E = TypeVar("E", bound=StrEnum)
# The fields written as prose; every other text field (names, addresses, URLs, numbers) is one line.
MULTI_LINE = frozenset(
    {"content_text", "reason", "harm", "rights_other", "clear_reason", "purpose_other", "withheld_other"}
)


class DraftReader:
    """Reads fields from a JSON object, collecting a problem for each field of the wrong type."""

    def __init__(self, data: Mapping[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.problems: list[FieldProblem] = []

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.problems.append(problem(self._name(key), "文字列で指定してください。", "Give a string."))
            return ""
        found = text_problem(value.strip(), single_line=key not in MULTI_LINE)
        if found is not None:
            self.problems.append(problem(self._name(key), found.ja, found.en))
            return ""
        return value.strip()

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.problems.append(
            problem(self._name(key), "true か false で指定してください。", "Give true or false.")
        )
        return None

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.problems.append(problem(self._name(key), "整数で指定してください。", "Give a whole number."))
        return None

    def moment(self, key: str) -> datetime | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        try:
            if not isinstance(value, str):
                raise ValueError(value)
            return datetime.fromisoformat(value.strip())
        except ValueError:
            self.problems.append(
                problem(
                    self._name(key),
                    "日時を ISO 8601（例: 2026-04-01T09:00:00+09:00）で指定してください。",
                    "Give the time in ISO 8601 (e.g. 2026-04-01T09:00:00+09:00).",
                )
            )
            return None

    def choices(self, key: str, kind: type[E]) -> tuple[E, ...]:
        found = self.choices_or_none(key, kind)
        return found or ()

    def choices_or_none(self, key: str, kind: type[E]) -> tuple[E, ...] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problems.append(problem(self._name(key), "リストで指定してください。", "Give a list."))
            return ()
        allowed = ", ".join(member.value for member in kind)
        out: list[E] = []
        for item in value:
            try:
                chosen = kind(item)
            except ValueError:
                self.problems.append(
                    problem(
                        self._name(key),
                        f"「{item}」は選べません。選べる値: {allowed}",
                        f"{item!r} is not a choice. Choices: {allowed}",
                    )
                )
                continue
            if chosen not in out:
                out.append(chosen)
        return tuple(out)

    def obj(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problems.append(
                problem(self._name(key), "オブジェクトで指定してください。", "Give an object.")
            )
            return {}
        return value

    def objects(self, key: str) -> list[Mapping[str, Any]]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problems.append(
                problem(
                    self._name(key), "オブジェクトのリストで指定してください。", "Give a list of objects."
                )
            )
            return []
        return value

    def requester(self) -> Requester:
        inner = DraftReader(self.obj("requester"), prefix=self._name("requester."))
        person = Requester(
            name=inner.text("name"),
            address=inner.text("address"),
            email=inner.text("email"),
            phone=inner.text("phone"),
        )
        self.problems += inner.problems
        return person

    def evidence(self) -> tuple[EvidenceRef, ...]:
        refs = []
        for index, item in enumerate(self.objects("evidence")):
            inner = DraftReader(item, prefix=self._name(f"evidence.{index}."))
            refs.append(
                EvidenceRef(
                    sha256=inner.text("sha256").lower(),
                    description=inner.text("description"),
                    url=inner.text("url"),
                )
            )
            self.problems += inner.problems
        return tuple(refs)


def read_deletion(data: Mapping[str, Any]) -> DeletionRequest:
    """A checked deletion request from its JSON form; DomainError names every field to fix."""
    if not isinstance(data, Mapping):
        raise draft_invalid([problem("", "JSON オブジェクトで指定してください。", "Give a JSON object.")])
    r = DraftReader(data)
    draft = DeletionRequest(
        addressee=r.text("addressee"),
        requester=r.requester(),
        content_url=r.text("content_url"),
        post_number=r.text("post_number"),
        content_text=r.text("content_text"),
        rights=r.choices("rights", Right),
        rights_other=r.text("rights_other"),
        reason=r.text("reason"),
        harm=r.text("harm"),
        show_name_to_poster=r.flag("show_name_to_poster"),
        declaration_true=bool(r.flag("declaration_true")),
        evidence=r.evidence(),
    )
    if r.problems:
        raise draft_invalid(r.problems)
    return ensure_deletion(draft)


def read_disclosure(data: Mapping[str, Any]) -> DisclosureRequest:
    """A checked disclosure request from its JSON form; DomainError names every field to fix."""
    if not isinstance(data, Mapping):
        raise draft_invalid([problem("", "JSON オブジェクトで指定してください。", "Give a JSON object.")])
    r = DraftReader(data)
    kind_text = r.text("provider_kind") or ProviderKind.CONTENT.value
    try:
        provider_kind = ProviderKind(kind_text)
    except ValueError:
        r.problems.append(
            problem("provider_kind", "content か access で指定してください。", "Give content or access.")
        )
        provider_kind = ProviderKind.CONTENT
    draft = DisclosureRequest(
        addressee=r.text("addressee"),
        provider_kind=provider_kind,
        requester=r.requester(),
        content_url=r.text("content_url"),
        post_number=r.text("post_number"),
        ip_address=r.text("ip_address"),
        port=r.integer("port"),
        sent_at=r.moment("sent_at"),
        content_text=r.text("content_text"),
        rights=r.choices("rights", Right),
        rights_other=r.text("rights_other"),
        clear_reason=r.text("clear_reason"),
        purposes=r.choices("purposes", Purpose),
        purpose_other=r.text("purpose_other"),
        items=r.choices("items", DisclosureItem),
        login_conditions=r.choices("login_conditions", LoginCondition),
        withheld_from_poster=r.choices_or_none("withheld_from_poster", Withheld),
        withheld_other=r.text("withheld_other"),
        responsibility_acknowledged=bool(r.flag("responsibility_acknowledged")),
        evidence=r.evidence(),
    )
    if r.problems:
        raise draft_invalid(r.problems)
    return ensure_disclosure(draft)
