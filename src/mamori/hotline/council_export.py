"""The desk's figures in the liaison council's common format (docs/trusted-channels.md, "The council
file"): CSV, one row per (dimension, key), counts below the suppression threshold left out.

The council capability reads these files; it is a sibling of the hotline, so the few lines that write
the format live here too (the format, not the code, is what members share)."""

from __future__ import annotations

import csv
import io
from collections import Counter

FORMAT = "mamori-council/1"
HEADER = ("format", "member", "member_kind", "year", "dimension", "key", "count")
DIMENSIONS = ("month", "harm", "service", "outcome", "referral")


def write(member: str, member_kind: str, year: int, cells: dict[str, Counter[str]], threshold: int) -> str:
    """The member's file: every cell counting at least `threshold`; smaller ones are suppressed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for dimension in DIMENSIONS:
        for key, count in sorted(cells.get(dimension, Counter()).items()):
            if count >= threshold:
                writer.writerow([FORMAT, member, member_kind, year, dimension, key, count])
    return out.getvalue()
