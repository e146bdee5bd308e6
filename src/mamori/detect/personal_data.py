"""Personal data in Japanese text: phone numbers, e-mail, postal codes, street addresses, My Number.

Matching runs on the width-folded text (０９０ reads as 090) and every match carries offsets into the
original text, so notices and exports can mask exactly what was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from mamori.detect.model import MappedText, fold_width


class PersonalDataKind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    MY_NUMBER = "my_number"


@dataclass(frozen=True)
class PersonalDataMatch:
    """One piece of personal data at [start, end) of the original text."""

    kind: PersonalDataKind
    start: int
    end: int
    text: str


# How strongly each kind alone points to exposure of private data (a privacy score, not a verdict):
# a postal code alone identifies nobody; a My Number or a street address does.
PRIVACY_WEIGHT: dict[PersonalDataKind, float] = {
    PersonalDataKind.MY_NUMBER: 0.95,
    PersonalDataKind.ADDRESS: 0.85,
    PersonalDataKind.PHONE: 0.75,
    PersonalDataKind.EMAIL: 0.6,
    PersonalDataKind.POSTAL_CODE: 0.35,
}

WHY: dict[PersonalDataKind, str] = {
    PersonalDataKind.MY_NUMBER: "Contains an Individual Number (My Number) with a valid check digit.",
    PersonalDataKind.ADDRESS: "Contains a street address down to the block number.",
    PersonalDataKind.PHONE: "Contains a telephone number.",
    PersonalDataKind.EMAIL: "Contains an e-mail address.",
    PersonalDataKind.POSTAL_CODE: "Contains a postal code.",
}

_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|神奈川県|"
    "新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|大阪府|兵庫県|"
    "奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|福岡県|佐賀県|"
    "長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_DASH = r"[-‐‑‒–—―−ー]"
_NOT_DIGIT_BEFORE = r"(?<![\d\-])"
_NOT_DIGIT_AFTER = r"(?![\d])"
_PHONE = re.compile(
    _NOT_DIGIT_BEFORE
    + r"(?:"
    + rf"(?:\+81{_DASH}?|0)[789]0{_DASH}?\d{{4}}{_DASH}?\d{{4}}"  # mobile 090-1234-5678
    + rf"|(?:\+81{_DASH}?|0)120{_DASH}?\d{{3}}{_DASH}?\d{{3}}"  # free dial 0120-123-456
    + rf"|\(0\d{{1,4}}\)\s?\d{{1,4}}{_DASH}\d{{4}}"  # (03) 1234-5678
    + rf"|0\d{{1,4}}{_DASH}\d{{1,4}}{_DASH}\d{{4}}"  # landline 03-1234-5678
    + r")"
    + _NOT_DIGIT_AFTER
)
_EMAIL = re.compile(r"(?<![a-z0-9_.+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z0-9_])")
_POSTAL = re.compile(
    rf"〒\s?\d{{3}}{_DASH}?\d{{4}}{_NOT_DIGIT_AFTER}|{_NOT_DIGIT_BEFORE}\d{{3}}{_DASH}\d{{4}}(?![\d\-])"
)
_PLACE = r"[\u4e00-\u9fff\u30a0-\u30ffヶケ]"
_KANJI_NUMBER = r"[0-9一二三四五六七八九十〇]+"
_BLOCK = (
    rf"(?:{_KANJI_NUMBER}丁目\s?(?:\d+(?:{_DASH}\d+)*|\d+番地?(?:\d+号?)?)?"
    rf"|\d+番地?\s?(?:\d+号?)?|\d+(?:{_DASH}\d+){{1,2}})"
)
_ADDRESS = re.compile(
    rf"(?:(?:{_PREFECTURES})\s?{_PLACE}{{1,8}}?[市区町村郡]|(?<![\u4e00-\u9fff]){_PLACE}{{1,5}}?[市区])"
    rf"[^\s、。,!?0-9]{{0,10}}?{_BLOCK}"
)
_SEP = r"[\s‐‑‒–—―−ー-]"
_MY_NUMBER = re.compile(rf"{_NOT_DIGIT_BEFORE}(\d{{4}}){_SEP}?(\d{{4}}){_SEP}?(\d{{4}})(?![\d\-])")

# What every pattern above needs (a digit for numbers, postal codes and street blocks, 丁目 for a block in
# kanji numerals, an at sign for e-mail): most posts have none of them and skip the patterns.
_ANY_PERSONAL_DATA = re.compile(r"\d|@|丁目")


def my_number_check_digit(first_eleven: str) -> int:
    """The check digit of an Individual Number (番号法施行令 Art. 8) from its first eleven digits."""
    if len(first_eleven) != 11 or not first_eleven.isdigit():
        raise ValueError("an Individual Number has eleven digits before its check digit")
    total = 0
    for n in range(1, 12):
        p = int(first_eleven[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_my_number(digits: str) -> bool:
    """Whether twelve digits form an Individual Number with a correct check digit."""
    return len(digits) == 12 and digits.isdigit() and my_number_check_digit(digits[:11]) == int(digits[11])


def _matches(mapped: MappedText, original: str) -> list[PersonalDataMatch]:
    found: list[PersonalDataMatch] = []

    def add(kind: PersonalDataKind, start: int, end: int) -> None:
        a, b = mapped.original_span(start, end)
        found.append(PersonalDataMatch(kind, a, b, original[a:b]))

    for m in _MY_NUMBER.finditer(mapped.text):
        if is_valid_my_number("".join(m.groups())):
            add(PersonalDataKind.MY_NUMBER, m.start(), m.end())
    for pattern, kind in (
        (_ADDRESS, PersonalDataKind.ADDRESS),
        (_PHONE, PersonalDataKind.PHONE),
        (_EMAIL, PersonalDataKind.EMAIL),
        (_POSTAL, PersonalDataKind.POSTAL_CODE),
    ):
        for m in pattern.finditer(mapped.text):
            add(kind, m.start(), m.end())
    return found


def find_personal_data(text: str) -> list[PersonalDataMatch]:
    """Personal data in text, in order, with offsets into text; overlapping matches keep the first kind
    in the order My Number, address, phone, e-mail, postal code."""
    mapped = fold_width(text)
    if _ANY_PERSONAL_DATA.search(mapped.text) is None:
        return []
    kept: list[PersonalDataMatch] = []
    for match in _matches(mapped, text):
        if all(match.end <= k.start or match.start >= k.end for k in kept):
            kept.append(match)
    return sorted(kept, key=lambda m: m.start)


def mask_personal_data(text: str, mask: str = "＊") -> str:
    """text with every character of personal data replaced by mask (same length, offsets unchanged)."""
    chars = list(text)
    for match in find_personal_data(text):
        for i in range(match.start, match.end):
            if not chars[i].isspace():
                chars[i] = mask
    return "".join(chars)
