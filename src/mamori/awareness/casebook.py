"""The インターネットトラブル事例集 as data: one dated, sourced YAML file per case in `data/cases/`.

Checked as a whole when the app starts and by `mamori awareness check`: every text in ja and en
(やさしい日本語 optional), known topics and age groups, a source and the dates it was written and last
checked, at least one way to prevent and one place to get help. A mistake stops start-up with
`file:line: what`, so a wrong case is never served to a parent or a teacher.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mamori.awareness.model import Audience, Topic
from mamori.core.yamlfile import LineList as _List
from mamori.core.yamlfile import LineMap as _Map
from mamori.core.yamlfile import read_yaml

DATA_DIR = Path(__file__).resolve().parent / "data" / "cases"
TEXT_LANGS = ("ja", "en", "ja-easy")
REQUIRED_LANGS = ("ja", "en")
CASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,60}$")
MAX_FILE_BYTES = 64 * 1024


class CaseDataError(ValueError):
    """A case file that must not be served: names the file and the line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class Text:
    ja: str
    en: str
    easy: str | None = None

    def __call__(self, lang: str) -> str:
        if lang == "en":
            return self.en
        if lang == "ja-easy" and self.easy:
            return self.easy
        return self.ja

    def search_text(self) -> str:
        return " ".join(t for t in (self.ja, self.en, self.easy) if t).lower()


@dataclass(frozen=True)
class Help:
    name: Text
    reach: str
    url: str


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    date: str
    url: str
    note: Text


@dataclass(frozen=True)
class Case:
    id: str
    title: Text
    topics: tuple[Topic, ...]
    age_groups: tuple[Audience, ...]
    who: Text
    situation: Text
    what_went_wrong: Text
    law: Text
    prevention: tuple[Text, ...]
    help: tuple[Help, ...]
    source: Source
    written: dt.date
    checked: dt.date
    file: str

    def matches(self, query: str) -> bool:
        """Whether every word of `query` is in one of the case's texts (any language)."""
        words = [w for w in query.lower().split() if w]
        texts = [self.title, self.who, self.situation, self.what_went_wrong, self.law, *self.prevention]
        haystack = " ".join(t.search_text() for t in texts)
        return all(w in haystack for w in words)


def _read(path: Path) -> _Map:
    return read_yaml(path, CaseDataError, max_bytes=MAX_FILE_BYTES)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: Any, message: str) -> CaseDataError:
        return CaseDataError(self.path, getattr(where, "line", 0) or 1, message)

    def string(self, parent: _Map, key: str, *, optional: bool = False) -> str:
        value = parent.get(key)
        if optional and (value is None or value == ""):
            return ""
        if isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            raise self.fail(parent, f"'{key}' must be a non-empty text")
        return value.strip()

    def date(self, parent: _Map, key: str) -> dt.date:
        value = parent.get(key)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise self.fail(parent, f"'{key}' must be a date (YYYY-MM-DD)")
        return value

    def text_of(self, value: Any, parent: Any, key: str) -> Text:
        if not isinstance(value, _Map):
            raise self.fail(parent, f"'{key}' must give the text in {', '.join(REQUIRED_LANGS)}")
        unknown = [k for k in value if k not in TEXT_LANGS]
        if unknown:
            raise self.fail(value, f"'{key}' has unknown language(s) {unknown}; use {list(TEXT_LANGS)}")
        for lang in REQUIRED_LANGS:
            self.string(value, lang)
        easy = self.string(value, "ja-easy", optional=True) or None
        return Text(value["ja"].strip(), value["en"].strip(), easy)

    def text(self, parent: _Map, key: str) -> Text:
        return self.text_of(parent.get(key), parent, key)

    def items(self, parent: _Map, key: str) -> _List:
        value = parent.get(key)
        if not isinstance(value, _List) or not value:
            raise self.fail(parent, f"'{key}' must be a list with at least one entry")
        return value

    def choices(self, parent: _Map, key: str, allowed: type[Topic] | type[Audience]) -> tuple[Any, ...]:
        values = self.items(parent, key)
        known = {m.value for m in allowed}
        out = []
        for v in values:
            if not isinstance(v, str) or v not in known:
                raise self.fail(values, f"'{key}': unknown value {v!r}; choose from {sorted(known)}")
            out.append(allowed(v))
        return tuple(out)


FIELDS = (
    "id",
    "title",
    "topics",
    "age_groups",
    "who",
    "situation",
    "what_went_wrong",
    "law",
    "prevention",
    "help",
    "source",
    "written",
    "checked",
)


def load_case(path: Path) -> Case:
    """One case file, checked; CaseDataError (file:line) when anything is missing or wrong."""
    r = _Reader(path)
    root = _read(path)
    unknown = [k for k in root if k not in FIELDS]
    if unknown:
        raise r.fail(root, f"unknown field(s) {unknown}; the fields are {list(FIELDS)}")
    case_id = r.string(root, "id")
    if not CASE_ID.match(case_id):
        raise r.fail(root, "'id' must be 3-61 lower-case letters, digits or hyphens")
    if path.stem != case_id:
        raise r.fail(root, f"'id' {case_id!r} must equal the file name ({path.stem!r})")
    source = root.get("source")
    if not isinstance(source, _Map):
        raise r.fail(root, "'source' must say where the case comes from (title, publisher, date, note)")
    url = r.string(source, "url", optional=True)
    if url and not url.startswith("https://"):
        raise r.fail(source, "'url' of the source must start with https://")
    help_list = r.items(root, "help")
    helps = []
    for item in help_list:
        if not isinstance(item, _Map):
            raise r.fail(help_list, "each 'help' entry must be a mapping (name, reach, url)")
        help_url = r.string(item, "url", optional=True)
        if help_url and not help_url.startswith("https://"):
            raise r.fail(item, "'url' must start with https://")
        helps.append(Help(r.text(item, "name"), r.string(item, "reach", optional=True), help_url))
    prevention = r.items(root, "prevention")
    written, checked = r.date(root, "written"), r.date(root, "checked")
    if checked < written:
        raise r.fail(root, "'checked' cannot be before 'written'")
    return Case(
        id=case_id,
        title=r.text(root, "title"),
        topics=r.choices(root, "topics", Topic),
        age_groups=r.choices(root, "age_groups", Audience),
        who=r.text(root, "who"),
        situation=r.text(root, "situation"),
        what_went_wrong=r.text(root, "what_went_wrong"),
        law=r.text(root, "law"),
        prevention=tuple(r.text_of(p, prevention, "prevention") for p in prevention),
        help=tuple(helps),
        source=Source(
            title=r.string(source, "title"),
            publisher=r.string(source, "publisher"),
            date=r.string(source, "date"),
            url=url,
            note=r.text(source, "note"),
        ),
        written=written,
        checked=checked,
        file=path.name,
    )


def load_cases(folder: Path = DATA_DIR) -> tuple[Case, ...]:
    """Every case of the folder, in file-name order; the first bad file stops it with file:line."""
    cases = tuple(load_case(p) for p in sorted(folder.glob("*.yaml")))
    if not cases:
        raise CaseDataError(folder, 0, "no case files (*.yaml)")
    return cases


@cache
def case_book() -> tuple[Case, ...]:
    """The served cases (read and checked once per process)."""
    return load_cases()


def find_cases(
    cases: tuple[Case, ...], *, topic: str = "", age_group: str = "", query: str = ""
) -> list[Case]:
    """Cases on a topic, for an age group, containing every word of the query (each filter optional)."""
    return [
        c
        for c in cases
        if (not topic or topic in c.topics)
        and (not age_group or age_group in c.age_groups)
        and (not query or c.matches(query[:100]))
    ]
