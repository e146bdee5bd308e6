"""Curated lexicons (see lexicon/README.md): features for the model, spans that explain a score, and
score floors where labelled data is too thin (threats, slurs)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from mamori.detect.model import Category, MappedText, Span

LEXICON_CATEGORIES: tuple[Category, ...] = (
    Category.DEFAMATION,
    Category.INSULT,
    Category.THREAT,
    Category.DISCRIMINATION,
)

WHY: dict[Category, str] = {
    Category.DEFAMATION: "Asserts a crime or misconduct, which can lower a person's social standing.",
    Category.INSULT: "A contemptuous expression aimed at a person.",
    Category.THREAT: "Announces harm to a person, their family or their home.",
    Category.DISCRIMINATION: "A slur or exclusion aimed at a group of people.",
}


@dataclass(frozen=True)
class Lexicon:
    category: Category
    terms: tuple[str, ...]
    floors: dict[str, float]
    pattern: re.Pattern[str]


def _parse(category: Category, text: str) -> Lexicon:
    terms: list[str] = []
    floors: dict[str, float] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        term, _, floor = line.partition("\t")
        terms.append(term)
        if floor:
            floors[term] = float(floor)
    ordered = sorted(set(terms), key=len, reverse=True)
    return Lexicon(category, tuple(terms), floors, re.compile("|".join(map(re.escape, ordered))))


@cache
def lexicons() -> tuple[Lexicon, ...]:
    """The lexicons shipped in mamori/detect/lexicon/, read once per process."""
    folder = resources.files("mamori.detect") / "lexicon"
    return tuple(
        _parse(category, (folder / f"{category.value}.txt").read_text(encoding="utf-8"))
        for category in LEXICON_CATEGORIES
    )


def lexicon_path(name: str) -> Path:
    """The file of one shipped lexicon (a category's value, or "criticism")."""
    return Path(str(resources.files("mamori.detect") / "lexicon" / f"{name}.txt"))


@cache
def criticism_cues() -> re.Pattern[str]:
    """The criticism cues of lexicon/criticism.txt (acts, policies, reasoned critique) as one pattern."""
    text = lexicon_path("criticism").read_text(encoding="utf-8")
    terms = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True))))


@dataclass(frozen=True)
class LexiconHits:
    counts: dict[Category, int]
    floors: dict[Category, float]
    spans: list[Span]
    criticism: list[str] = field(default_factory=list)  # criticism cues found, in order

    @property
    def attack(self) -> bool:
        """Whether any term that attacks a person or a group (not a mere criticism cue) occurs."""
        return any(self.counts.values())


def lexicon_hits(mapped: MappedText) -> LexiconHits:
    """Every lexicon term in the normalised text, as counts, score floors and spans of the original."""
    counts: dict[Category, int] = {}
    floors: dict[Category, float] = {}
    spans: list[Span] = []
    for lexicon in lexicons():
        n = 0
        for m in lexicon.pattern.finditer(mapped.text):
            n += 1
            floor = lexicon.floors.get(m.group(0), 0.0)
            if floor > floors.get(lexicon.category, 0.0):
                floors[lexicon.category] = floor
            start, end = mapped.original_span(m.start(), m.end())
            spans.append(Span(start, end, lexicon.category, WHY[lexicon.category]))
        counts[lexicon.category] = n
    return LexiconHits(counts, floors, spans, criticism_cues().findall(mapped.text))
