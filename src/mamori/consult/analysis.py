"""Counts of consultations (相談件数・内容の分析) by month, category, service, outcome and referral,
as tables, CSV and charts with Japanese labels — what a centre shows its liaison council.

Counts come only from columns kept in clear, so they survive the erasure of personal data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections import Counter
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from mamori.consult import store
from mamori.consult.catalogue import consult_map
from mamori.consult.model import CATEGORY_LABEL, OUTCOME_LABEL, Category, Outcome
from mamori.core.clock import to_jst

log = logging.getLogger(__name__)
DIMENSIONS = ("month", "category", "service", "outcome", "referral")
JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Noto Serif CJK JP", "TakaoGothic")


@dataclass(frozen=True)
class Counts:
    """Per dimension, (key, count) pairs in a stable order; `total` consultations."""

    total: int
    by: dict[str, list[tuple[str, int]]]


def count_consultations(db: Session, *, since: dt.datetime | None = None) -> Counts:
    """Count every recorded consultation (erased ones included) by each dimension; months in JST."""
    rows = [r for r in store.all_records(db) if since is None or r.opened_at >= since]
    month: Counter[str] = Counter(f"{to_jst(r.opened_at):%Y-%m}" for r in rows)
    category: Counter[str] = Counter(c for r in rows for c in r.category_list)
    service: Counter[str] = Counter(r.service for r in rows)
    outcome: Counter[str] = Counter(r.outcome for r in rows)
    referral: Counter[str] = Counter(r.referral_body for r in rows if r.referral_body)
    return Counts(
        total=len(rows),
        by={
            "month": sorted(month.items()),
            "category": [(c.value, category[c.value]) for c in Category if category[c.value]],
            "service": service.most_common(),
            "outcome": [(o.value, outcome[o.value]) for o in Outcome if outcome[o.value]],
            "referral": referral.most_common(),
        },
    )


def label(dimension: str, key: str, lang: str) -> str:
    """How a key is shown: category and outcome names, service and body names, months as they are."""
    cmap = consult_map()
    if dimension == "category" and key in {c.value for c in Category}:
        return CATEGORY_LABEL[Category(key)](lang)
    if dimension == "outcome" and key in {o.value for o in Outcome}:
        return OUTCOME_LABEL[Outcome(key)](lang)
    if dimension == "service" and key in cmap.services:
        return cmap.services[key].name(lang)
    if dimension == "referral" and key in cmap.bodies:
        return cmap.bodies[key].name(lang)
    return key


def counts_csv(counts: Counts, lang: str = "ja") -> str:
    """One row per (dimension, key): dimension, key, label, count — UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["dimension", "key", "label", "count"])
    writer.writerow(["total", "", "合計" if lang != "en" else "Total", counts.total])
    for dimension in DIMENSIONS:
        for key, n in counts.by[dimension]:
            writer.writerow([dimension, key, label(dimension, key, lang), n])
    return out.getvalue()


@cache
def japanese_font_path() -> str | None:
    """A font file with Japanese glyphs, found through matplotlib's font manager; None, loudly, if none."""
    from matplotlib import font_manager

    for family in JAPANESE_FONTS:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return str(path)
    log.error(
        "NO JAPANESE FONT for charts (tried %s): labels will show as boxes. "
        "Install fonts-noto-cjk or fonts-ipaexfont.",
        ", ".join(JAPANESE_FONTS),
    )
    return None


def chart_png(counts: Counts, dimension: str, lang: str = "ja") -> bytes:
    """A horizontal bar chart (or a line of months) as PNG, labelled in the page's language."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font_path = japanese_font_path()
    font = FontProperties(fname=font_path) if font_path else FontProperties()
    pairs = counts.by[dimension]
    labels = [label(dimension, k, lang) for k, _ in pairs]
    values = [n for _, n in pairs]
    figure = Figure(figsize=(6.4, max(2.4, 0.45 * len(pairs) + 1.2)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    if dimension == "month":
        axes.bar(range(len(values)), values, color="#0b5394")
        axes.set_xticks(range(len(values)), labels, fontproperties=font, rotation=45, ha="right")
    else:
        axes.barh(range(len(values)), values, color="#0b5394")
        axes.set_yticks(range(len(values)), labels, fontproperties=font)
        axes.invert_yaxis()
    titles = {
        "month": ("月別の相談件数", "Consultations per month"),
        "category": ("相談の種類", "Consultations by category"),
        "service": ("サービス別", "Consultations by service"),
        "outcome": ("結果", "Outcomes"),
        "referral": ("紹介先", "Referrals"),
    }[dimension]
    axes.set_title(titles[1] if lang == "en" else titles[0], fontproperties=font)
    figure.tight_layout()
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()
