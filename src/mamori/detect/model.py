"""Japanese abuse detection, the domain: categories, results, and normalisation that keeps offsets.

誹謗中傷 is not criticism (「誹謗中傷≠批判意見」): a category is a kind of harm a post may do, and a
score is a probability, never a verdict. Everything here is pure Python and deterministic.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache


class Category(StrEnum):
    """The kinds of harm, with the right each one infringes in a removal request (Art. 22)."""

    DEFAMATION = "defamation"  # 名誉毀損: lowers social standing → 名誉権
    INSULT = "insult"  # 侮辱: hurts the feeling of honour → 名誉感情
    THREAT = "threat"  # 脅迫: disturbs the peace of private life → 私生活の平穏
    PRIVACY = "privacy"  # doxxing: address, phone, workplace, My Number → プライバシー
    DISCRIMINATION = "discrimination"  # 差別的言動
    ABUSE = "abuse"  # any of the above


CATEGORIES: tuple[Category, ...] = tuple(Category)
RIGHT_OF_CATEGORY: dict[Category, str] = {
    Category.DEFAMATION: "名誉権",
    Category.INSULT: "名誉感情",
    Category.THREAT: "私生活の平穏",
    Category.PRIVACY: "プライバシー",
}

# Longer posts are cut here and flagged "truncated": the first 10,000 characters carry the harm of
# any real post, and a cap keeps one enormous line from stalling a batch.
MAX_TEXT_CHARS = 10_000


class Notice(StrEnum):
    """Why a result deserves a second look beyond its scores."""

    EMPTY = "empty"  # nothing to score after stripping whitespace
    TRUNCATED = "truncated"  # longer than MAX_TEXT_CHARS; only the head was scored
    NOT_JAPANESE = "not_japanese"  # no kana or kanji: the model was trained on Japanese only
    CONTROL_CHARACTERS = "control_characters"  # control characters were removed before scoring
    SCREENED = "screened"  # the stream cascade's gate held it back: only the cheap first stage read it


@dataclass(frozen=True)
class Span:
    """A stretch of the original text [start, end) and why it matters (a msgid, translated later)."""

    start: int
    end: int
    category: Category
    why: str


@dataclass
class DetectionResult:
    """Scores per category (probabilities), categories over their threshold, and explaining spans."""

    scores: dict[Category, float]
    flags: list[Category]
    spans: list[Span]
    notices: list[Notice] = field(default_factory=list)
    # the post argues about acts or policies (criticism cues) and uses no attack term: 誹謗中傷≠批判意見
    criticism: bool = False


@dataclass(frozen=True)
class NudgeResult:
    """Whether to ask the writer to stop and think, and because of which category."""

    nudge: bool
    category: Category | None
    score: float
    message_id: str | None


@dataclass(frozen=True)
class MappedText:
    """A transformed text and, for each of its characters, the index of the original character."""

    text: str
    origin: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The [start, end) of the original text that produced text[start:end]."""
        if not self.origin or start >= end:
            return (0, 0)
        return (self.origin[start], self.origin[end - 1] + 1)


# Controls, invisible format characters (RTL overrides among them) and lone surrogates (which no encoder
# accepts) all become a space.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")


def has_japanese(text: str) -> bool:
    """Whether the text holds any kana or kanji."""
    return _JAPANESE.search(text) is not None


def clean_input(text: str) -> tuple[str, list[Notice]]:
    """Cut an enormous text, remove control characters, and say what was done.

    Control characters are replaced by a space (not deleted) so offsets into the result still point
    at the same characters of the input.
    """
    notices: list[Notice] = []
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        notices.append(Notice.TRUNCATED)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notices.append(Notice.CONTROL_CHARACTERS)
    if not text.strip():
        notices.append(Notice.EMPTY)
    elif not has_japanese(text):
        notices.append(Notice.NOT_JAPANESE)
    return text, notices


_COMBINING = re.compile(r"[\u0300-\u036f\u3099\u309a]")


@cache
def _fold_char(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).lower() if ord(ch) > 0x7F else ch.lower()


def fold_width(text: str) -> MappedText:
    """NFKC per character (full-width digits and letters, half-width kana), lower case, offsets kept.

    A voiced-sound mark split off by NFKC (ｶﾞ) is composed back onto the previous character.
    """
    if "Σ" not in text and unicodedata.is_normalized("NFKC", text):
        # every character of an NFKC-normal text is its own NFKC form, so lower-casing the whole text is
        # lower-casing each character (but for the final-sigma rule, hence the capital sigma test)
        folded = text.lower()
    else:
        folded = "".join(map(_fold_char, text))
    if len(folded) == len(text) and not _COMBINING.search(folded):  # the common case: one for one
        return MappedText(folded, tuple(range(len(text))))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in _fold_char(ch):
            if chars and unicodedata.combining(out):
                composed = unicodedata.normalize("NFC", chars[-1] + out)
                if len(composed) == 1:
                    chars[-1] = composed
                    continue
            chars.append(out)
            origin.append(i)
    return MappedText("".join(chars), tuple(origin))


def substitute(mapped: MappedText, pattern: re.Pattern[str], repl: str | None) -> MappedText:
    """Replace each match by repl (or by its first group's value, doubled at most) keeping offsets."""
    text, origin = mapped.text, mapped.origin
    parts: list[str] = []
    origins: list[tuple[int, ...]] = []
    last = 0
    for m in pattern.finditer(text):
        start, end = m.span()
        parts.append(text[last:start])
        origins.append(origin[last:start])
        new = repl if repl is not None else m.group(1) * 2
        parts.append(new)
        # each new character points at the original character at the same position of the match
        span = end - start
        origins.append(tuple(origin[start + min(k, span - 1)] for k in range(len(new))))
        last = end
    if not parts:
        return mapped
    parts.append(text[last:])
    origins.append(origin[last:])
    return MappedText("".join(parts), tuple(itertools.chain.from_iterable(origins)))


_JA_CHAR = r"[\u3040-\u30ff\u4e00-\u9fff]"
# 死 ね, 死.ね, 死_ね: a separator between two single Japanese characters hides the word.
_SPLIT_WORD = re.compile(rf"(?<={_JA_CHAR})[\s.・_/\-*＊★☆,、|]+(?={_JA_CHAR})")
_REPEATED = re.compile(r"(.)\1{2,}")
_LAUGH = re.compile(r"(?<![a-z])w{2,}(?![a-z])|草{2,}")
# Homophones and look-alikes written to dodge filters: 氏ね, 市ね, 4ね, タヒね, しね → 死ね.
_DEATH = re.compile(
    r"(?:氏|市|4|タヒ|(?<![\u3040-\u30ff\u4e00-\u9fff])[しシ])(?=ね(?:よ|や|ば|!|$|\s|[^\u3040-\u309f]))"
)
_KILL = re.compile(r"(?<![\u3040-\u309f])ころ(?=[すしせさ])|コロ(?=[すせ])")
_KILL_KATAKANA = re.compile(r"コロス")
# Romaji that hides a word in a Japanese sentence (only where the text is Japanese, so "shine" in an
# English sentence stays a verb).
_ROMAJI = {
    "baka": "バカ",
    "aho": "アホ",
    "kasu": "カス",
    "kuzu": "クズ",
    "gomi": "ゴミ",
    "busu": "ブス",
    "kimoi": "キモい",
    "shine": "死ね",
    "sine": "死ね",
    "shineyo": "死ねよ",
    "korosu": "殺す",
    "koroshite": "殺して",
    "kichigai": "キチガイ",
}


def normalise(text: str) -> MappedText:
    """The text as the detector reads it, with offsets back to the original.

    NFKC and width folding, lower case, runs of one character cut to two (すごーーーい → すごーーい),
    ｗｗｗ / 草草 → w, separators inside a word removed (死 ね → 死ね), homophone spellings made plain
    (氏ね → 死ね, コロす → 殺す) and romaji insults in Japanese text written in kana (baka → バカ).
    """
    mapped = fold_width(text)
    # a substring test first where a pattern needs one: most posts need none of these substitutions, and
    # a test is a fraction of a regex scan
    if "ww" in mapped.text or "草草" in mapped.text:
        mapped = substitute(mapped, _LAUGH, "w")
    mapped = substitute(mapped, _REPEATED, None)
    mapped = substitute(mapped, _SPLIT_WORD, "")
    if "ね" in mapped.text:
        mapped = substitute(mapped, _DEATH, "死")
    if "ころ" in mapped.text or "コロ" in mapped.text:
        mapped = substitute(mapped, _KILL, "殺")
        mapped = substitute(mapped, _KILL_KATAKANA, "殺す")
    if has_japanese(mapped.text) and re.search(r"[a-z]{3}", mapped.text):
        for word, kana in _ROMAJI.items():
            if word in mapped.text:
                mapped = substitute(mapped, re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])"), kana)
    return mapped
