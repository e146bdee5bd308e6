"""Text people type, refused when it carries characters that hide, reverse or break what a reader sees.

All text refuses NUL and the other C0/C1 controls except tab and line breaks, DEL, lone surrogates
(they cannot be stored or encoded: `"\\ud800"` in JSON made the detector answer 500) and the bidi
override, embedding and isolate controls U+202A–U+202E, U+2066–U+2069 (they make a name or a post read
differently from what it contains: "Trojan Source"). Single-line text — names, e-mail addresses,
URLs, subjects — also refuses line breaks (a CR/LF in a name becomes a forged line in a mail header,
a log or a CSV export).

Forms use `SingleLineText` / `MultiLineText` (Pydantic types; the error carries `ctx["ja"]`, which
`web.validation` shows beside the English) or `refuse_control_characters` (a `DomainError` naming
the field). Marks that belong to right-to-left scripts (U+200E, U+200F) and emoji pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from mamori.core.errors import DomainError

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
LINE_BREAKS = "\n\r\u2028\u2029"  # the rest of what str.splitlines splits on are controls anyway
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_CONTROLS + "]")
_REFUSED_ONE_LINE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff" + BIDI_CONTROLS + LINE_BREAKS + "]"
)


@dataclass(frozen=True)
class TextProblem:
    """The first refused character of a text: what it is and where (1-based, as a person counts)."""

    code: str  # control_character, bidi_control, broken_character, line_break
    position: int
    ja: str
    en: str


def _describe(char: str, position: int) -> TextProblem:
    point = f"U+{ord(char):04X}"
    if char in LINE_BREAKS:
        return TextProblem(
            "line_break",
            position,
            f"この項目に改行は入れられません ({position} 文字目、{point})。1行で入力してください。",
            f"This field must be one line: remove the line break at character {position} ({point}).",
        )
    if char in BIDI_CONTROLS:
        return TextProblem(
            "bidi_control",
            position,
            f"文字の向きを変える見えない制御文字 ({point}) が {position} 文字目にあります。"
            "表示と中身が食い違うため受け付けられません。取り除いてから送ってください。",
            f"An invisible character that changes the text direction ({point}) is at character "
            f"{position}; it makes the text read differently from what it contains. Remove it and send again.",
        )
    if 0xD800 <= ord(char) <= 0xDFFF:
        return TextProblem(
            "broken_character",
            position,
            f"壊れた文字 (対になっていないサロゲート {point}) が {position} 文字目にあります。"
            "その文字を入力し直してください。",
            f"A broken character (an unpaired surrogate, {point}) is at character {position}; "
            "type that character again.",
        )
    name = unicodedata.name(char, "control")
    return TextProblem(
        "control_character",
        position,
        f"見えない制御文字 ({point}) が {position} 文字目にあります。取り除いてから送ってください。",
        f"An invisible control character ({point}, {name}) is at character {position}; "
        "remove it and send again.",
    )


def text_problem(value: str, *, single_line: bool) -> TextProblem | None:
    """The first character of `value` that text may not carry, or None when it is clean."""
    found = (_REFUSED_ONE_LINE if single_line else _REFUSED).search(value)
    return _describe(found.group(), found.start() + 1) if found else None


def _checked(single_line: bool) -> Callable[[str], str]:
    def check(value: str) -> str:
        problem = text_problem(value, single_line=single_line)
        if problem is not None:
            raise PydanticCustomError(problem.code, "{en}", {"ja": problem.ja, "en": problem.en})
        return value

    return check


# A name, an address line, an e-mail, a URL: no line breaks, no invisible controls.
SingleLineText = Annotated[str, AfterValidator(_checked(single_line=True))]
# A reason, a post, a description: line breaks and tabs allowed, no invisible controls.
MultiLineText = Annotated[str, AfterValidator(_checked(single_line=False))]


def refuse_control_characters(value: str, *, field: str, single_line: bool) -> str:
    """`value` unchanged, or a 422 `DomainError` naming `field` and the character (for plain forms)."""
    problem = text_problem(value, single_line=single_line)
    if problem is not None:
        raise DomainError(code=problem.code, field=field, ja=problem.ja, en=problem.en, status=422)
    return value
