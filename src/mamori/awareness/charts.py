"""Charts (matplotlib PNG) and CSV of the prompt's figures and the lecture statistics."""

from __future__ import annotations

import csv
import io
import logging
from functools import cache
from typing import Any

from mamori.awareness.model import AUDIENCE_LABEL, TOPIC_LABEL, Audience, PromptEvent, Topic, prefecture_name
from mamori.awareness.service import DIMENSIONS, LectureStats, PromptFigures
from mamori.core.i18n import translate

log = logging.getLogger("mamori.awareness")
JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic", "Noto Serif CJK JP", "TakaoGothic")
EVENT_LABEL = {
    PromptEvent.SHOWN.value: "Shown",
    PromptEvent.EDITED.value: "Edited",
    PromptEvent.POSTED_ANYWAY.value: "Posted anyway",
}
DIMENSION_LABEL = {
    "year": "Fiscal year",
    "prefecture": "Prefecture",
    "audience": "Audience",
    "topic": "Topic",
}


def formal(lang: str) -> str:
    """Figures are labelled in ordinary Japanese or English (a やさしい日本語 reader gets Japanese)."""
    return "en" if lang == "en" else "ja"


@cache
def japanese_font_path() -> str | None:
    """A font with Japanese glyphs, through matplotlib's font manager; None, loudly, when none."""
    from matplotlib import font_manager

    for family in JAPANESE_FONTS:
        try:
            return str(
                font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            )
        except ValueError:
            continue
    log.error("NO JAPANESE FONT for charts (tried %s); install fonts-noto-cjk.", ", ".join(JAPANESE_FONTS))
    return None


def _figure(height: float) -> tuple[Any, Any, Any]:
    """A figure, its axes and the Japanese font (matplotlib is imported only when a chart is drawn)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    path = japanese_font_path()
    font = FontProperties(fname=path) if path else FontProperties()
    figure = Figure(figsize=(6.4, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot(), font


def _png(figure: Any) -> bytes:
    figure.tight_layout()
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    return buf.getvalue()


def prompt_chart(figures: PromptFigures, lang: str) -> bytes:
    """Prompts shown, edited and posted anyway per day (lines)."""
    from matplotlib.ticker import MaxNLocator

    lang = formal(lang)
    figure, axes, font = _figure(3.4)
    xs = range(len(figures.days))
    for kind, colour in zip(EVENT_LABEL, ("#0b5394", "#38761d", "#b45f06"), strict=True):
        axes.plot(
            xs,
            [figures.by_day[d][kind] for d in figures.days],
            color=colour,
            label=translate(EVENT_LABEL[kind], lang),
        )
    step = max(1, len(figures.days) // 6)
    axes.set_xticks(list(xs)[::step], [d.strftime("%m-%d") for d in figures.days][::step])
    axes.set_ylim(bottom=0)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend(prop=font)
    axes.set_title(translate("The prompt, per day", lang), fontproperties=font)
    return _png(figure)


def label(dimension: str, key: str, lang: str) -> str:
    lang = formal(lang)
    if dimension == "prefecture":
        return prefecture_name(key, "en" if lang == "en" else "ja")
    if dimension == "audience" and key in Audience._value2member_map_:
        return translate(AUDIENCE_LABEL[Audience(key)], lang)
    if dimension == "topic" and key in Topic._value2member_map_:
        return translate(TOPIC_LABEL[Topic(key)], lang)
    if dimension == "year":
        return f"FY{key}" if lang == "en" else f"{key}年度"
    return key


def statistics_chart(stats: LectureStats, dimension: str, lang: str) -> bytes:
    """Lectures given per key of one dimension (horizontal bars, people reached in the labels)."""
    from matplotlib.ticker import MaxNLocator

    lang = formal(lang)
    pairs = stats.by[dimension]
    figure, axes, font = _figure(max(2.4, 0.45 * len(pairs) + 1.2))
    axes.barh(range(len(pairs)), [n for _k, n, _p in pairs], color="#0b5394")
    axes.set_yticks(
        range(len(pairs)), [f"{label(dimension, k, lang)} ({p})" for k, _n, p in pairs], fontproperties=font
    )
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(
        f"{translate('Lectures given', lang)} — {translate(DIMENSION_LABEL[dimension], lang)} "
        f"{translate('(people reached in brackets)', lang)}",
        fontproperties=font,
    )
    return _png(figure)


def statistics_csv(stats: LectureStats, lang: str) -> str:
    """dimension, key, label, lectures, people — UTF-8 with BOM for spreadsheets."""
    lang = formal(lang)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["dimension", "key", "label", "lectures", "people"])
    writer.writerow(["total", "", "Total" if lang == "en" else "合計", stats.lectures, stats.people])
    for dimension in DIMENSIONS:
        for key, n, people in stats.by[dimension]:
            writer.writerow([dimension, key, label(dimension, key, lang), n, people])
    return out.getvalue()
