"""The hotline's published figures as CSV and charts (PNG, labelled in Japanese or English)."""

from __future__ import annotations

import csv
import io

from mamori.consult.analysis import japanese_font_path
from mamori.core.i18n import translate
from mamori.hotline.service import Figures

CHARTS = ("platforms", "reasons")


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def figures_csv(fig: Figures, lang: str = "ja") -> str:
    """One row per figure: section, key, count, share — UTF-8 with BOM for spreadsheets."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["section", "key", "count", "share"])
    writer.writerow(["contacts", str(fig.year), fig.contacts, ""])
    writer.writerow(["reports", str(fig.year), fig.reports, ""])
    writer.writerow(["assessed", str(fig.year), fig.assessed, ""])
    writer.writerow(["qualifying", str(fig.year), fig.qualifying, _share(fig.qualifying_share)])
    writer.writerow(["notified", str(fig.year), fig.notified, ""])
    writer.writerow(["removed", str(fig.year), fig.removed, _share(fig.removal_share)])
    for p in fig.platforms:
        writer.writerow(["platform_notified", p.platform, p.notified, ""])
        writer.writerow(["platform_removed", p.platform, p.removed, _share(p.removal_share)])
    for reason, n in fig.reasons:
        writer.writerow(["not_qualifying_reason", translate("reason:" + reason, lang), n, ""])
    return out.getvalue()


def chart_png(fig: Figures, chart: str, lang: str = "ja") -> bytes:
    """Removal share per platform, or the reasons reports did not qualify: a horizontal bar chart."""
    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    path = japanese_font_path()
    font = FontProperties(fname=path) if path else FontProperties()
    if chart == "platforms":
        labels = [p.platform for p in fig.platforms]
        values = [100 * (p.removal_share or 0.0) for p in fig.platforms]
        title = translate("Removal share per platform (%)", lang)
    else:
        labels = [translate("reason:" + r, lang) for r, _ in fig.reasons]
        values = [float(n) for _, n in fig.reasons]
        title = translate("Reasons for not qualifying", lang)
    figure = Figure(figsize=(6.4, max(2.4, 0.45 * len(values) + 1.2)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh(range(len(values)), values, color="#0b5394")
    axes.set_yticks(range(len(values)), labels, fontproperties=font)
    axes.invert_yaxis()
    axes.set_title(title, fontproperties=font)
    figure.tight_layout()
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()
