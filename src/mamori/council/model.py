"""The liaison council's common file (違法・有害情報相談機関連絡会): one format every member exports and
the council merges. Pure: parsing and checking, with the file and line of the first mistake.

CSV, UTF-8 (a BOM is allowed), a header line, then one row per (dimension, key):

    format,member,member_kind,year,dimension,key,count
    mamori-council/1,違法・有害情報相談センター,consultation_centre,2026,month,2026-04,412

Anonymised by construction: only counts, never a person; a cell counting fewer than the council's
suppression threshold is left out by the member and refused by the council (so nobody can be recognised
from a small count). The full specification is in docs/trusted-channels.md.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass

from mamori.core.text import text_problem

FORMAT = "mamori-council/1"
HEADER = ("format", "member", "member_kind", "year", "dimension", "key", "count")
DIMENSIONS = ("month", "harm", "service", "outcome", "referral")
MEMBER_KINDS = ("consultation_centre", "hotline", "legal_affairs_bureau")
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
KEY = re.compile(r"^[\w.\-:/ ]{1,100}$")


class CouncilFileError(ValueError):
    """A malformed member file: `where` is file:line."""

    def __init__(self, where: str, ja: str, en: str) -> None:
        super().__init__(f"{where}: {en}")
        self.where, self.ja, self.en = where, ja, en


@dataclass(frozen=True)
class MemberFile:
    member: str
    member_kind: str
    year: int
    cells: dict[str, dict[str, int]]  # dimension → key → count

    def total(self, dimension: str) -> int:
        return sum(self.cells.get(dimension, {}).values())


def write(member: str, member_kind: str, year: int, cells: dict[str, Counter[str]], threshold: int) -> str:
    """A member's file: every cell counting at least `threshold`; smaller ones are suppressed (absent)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for dimension in DIMENSIONS:
        for key, count in sorted(cells.get(dimension, Counter()).items()):
            if count >= threshold:
                writer.writerow([FORMAT, member, member_kind, year, dimension, key, count])
    return out.getvalue()


def parse(data: bytes, *, file_name: str, threshold: int) -> MemberFile:
    """Read and check a member's file; CouncilFileError naming file:line of the first mistake."""

    def bad(line: int, ja: str, en: str) -> CouncilFileError:
        return CouncilFileError(f"{file_name}:{line}", ja, en)

    if len(data) > MAX_BYTES:
        raise bad(0, "ファイルが大きすぎます (2 MB まで)。", "The file is too large (2 MB at most).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise bad(line, "UTF-8 で保存してください。", "Save the file as UTF-8.") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HEADER:
        raise bad(
            1,
            f"1行目は見出し {','.join(HEADER)} にしてください。",
            f"Line 1 must be the header {','.join(HEADER)}.",
        )
    member = kind = None
    year = None
    cells: dict[str, dict[str, int]] = {d: {} for d in DIMENSIONS}
    rows = 0
    for row in reader:
        line = reader.line_num
        if not row or row == [""]:
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise bad(line, f"行が多すぎます ({MAX_ROWS}行まで)。", f"Too many rows ({MAX_ROWS} at most).")
        if len(row) != len(HEADER):
            raise bad(
                line,
                f"{len(HEADER)}列が必要です ({len(row)}列あります)。",
                f"{len(HEADER)} columns expected, found {len(row)}.",
            )
        fmt, m, k, y, dimension, key, count = (c.strip() for c in row)
        if fmt != FORMAT:
            raise bad(line, f"形式は {FORMAT} です。", f"The format must be {FORMAT}.")
        if not m or len(m) > 200 or text_problem(m, single_line=True) is not None:
            raise bad(line, "会員名が正しくありません。", "The member's name is missing or not valid.")
        if k not in MEMBER_KINDS:
            raise bad(
                line,
                f"会員の種類は {', '.join(MEMBER_KINDS)} のいずれかです。",
                f"member_kind must be one of {', '.join(MEMBER_KINDS)}.",
            )
        if not y.isdigit() or not 2000 <= int(y) <= 2100:
            raise bad(line, "年は西暦4桁です。", "The year must be four digits.")
        if member is None:
            member, kind, year = m, k, int(y)
        elif (m, k, int(y)) != (member, kind, year):
            raise bad(
                line,
                "一つのファイルには一つの会員・一つの年だけを入れてください。",
                "One file holds one member and one year.",
            )
        if dimension not in DIMENSIONS:
            raise bad(
                line,
                f"集計の軸は {', '.join(DIMENSIONS)} のいずれかです。",
                f"dimension must be one of {', '.join(DIMENSIONS)}.",
            )
        if not KEY.match(key):
            raise bad(
                line,
                "項目名が正しくありません (100文字まで、英数字と . - : / _ 空白)。",
                "The key is missing or not valid (100 characters of letters, digits, . - : / _ and spaces).",
            )
        if dimension == "month" and not re.fullmatch(rf"{year}-(0[1-9]|1[0-2])", key):
            raise bad(line, f"月は {year}-MM の形です。", f"A month is written {year}-MM.")
        if not count.isdigit():
            raise bad(line, "件数は0以上の整数です。", "The count must be a whole number.")
        if int(count) < threshold:
            raise bad(
                line,
                f"件数 {count} は秘匿の基準 ({threshold}) 未満です。このような小さな件数は書かずに省いてください。",
                f"The count {count} is below the suppression threshold ({threshold}): leave such cells out.",
            )
        if key in cells[dimension]:
            raise bad(line, f"{dimension} の {key} が二度あります。", f"{dimension} {key} appears twice.")
        cells[dimension][key] = int(count)
    if member is None or kind is None or year is None:
        raise bad(reader.line_num or 1, "データの行がありません。", "The file has no data rows.")
    return MemberFile(member, kind, year, cells)
