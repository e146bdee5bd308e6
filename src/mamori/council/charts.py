"""The council dashboard's CSV and charts (PNG, labelled in Japanese or English)."""

from __future__ import annotations

import csv
import io

from mamori.consult.analysis import japanese_font_path
from mamori.core.i18n import translate
from mamori.council.model import DIMENSIONS
from mamori.council.service import Merged, label


def merged_csv(m: Merged, lang: str = "ja") -> str:
    """One row per (dimension, key) with the council's total and each member's count — UTF-8 with BOM."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["year", "dimension", "key", "label", "total"])
    for dimension in DIMENSIONS:
        for key, n in m.by[dimension]:
            writer.writerow([m.year, dimension, key, label(dimension, key, lang), n])
    return out.getvalue()


def chart_png(m: Merged, dimension: str, lang: str = "ja") -> bytes:
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    path = japanese_font_path()
    font = FontProperties(fname=path) if path else FontProperties()
    pairs = m.by[dimension]
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
    axes.set_title(translate("council-by:" + dimension, lang), fontproperties=font)
    figure.tight_layout()
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()
