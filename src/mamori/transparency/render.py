"""The report's outputs: JSON (with its JSON Schema), CSV, a standalone HTML document and an A4 PDF
with Japanese text (ReportLab and the IPAexGothic TrueType font, embedded) and charts (matplotlib)."""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2

from mamori.core.errors import DomainError
from mamori.transparency import model

HERE = Path(__file__).resolve().parent
SCHEMA_PATH = HERE / "schema" / "report.schema.json"
FORMATS = ("html", "csv", "json", "pdf")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
}

# Every label of the report in both languages (section titles, rows, breakdowns).
LABELS: dict[str, tuple[str, str]] = {
    "title": (
        "情報流通プラットフォーム対処法 第28条に基づく運用状況の公表",
        "Transparency report under Article 28",
    ),
    "year": ("{y}年度 ({y}年4月1日〜{z}年3月31日)", "Reporting year {y} (1 April {y} to 31 March {z})"),
    "computed_at": ("集計日時", "Computed at"),
    "published_at": ("公表日時", "Published at"),
    "requests": ("削除申出の受付件数", "Removal requests received"),
    "total": ("合計", "Total"),
    "repeats": ("同一申出者による同一内容の申出", "Identical repeat requests"),
    "by_right": ("侵害されたとする権利別", "By right claimed infringed"),
    "by_service": ("サービス別", "By service"),
    "by_channel": ("受付経路別", "By channel"),
    "public": ("一般 (ウェブ・API)", "The public (web, API)"),
    "trusted": ("信頼できる機関", "Trusted bodies"),
    "court": ("裁判所", "Courts"),
    "art25": ("申出者への通知 (第25条) の件数", "Notices to requesters (Art. 25)"),
    "removed": ("削除した旨", "Removed"),
    "not_removed": ("削除しなかった旨とその理由", "Not removed, with the reason"),
    "hearing_poster": ("延長: 発信者への意見照会中", "Extension: hearing the poster"),
    "specialist_investigation": ("延長: 専門員が調査中", "Extension: a specialist is investigating"),
    "unavoidable": ("延長: その他やむを得ない理由", "Extension: another unavoidable reason"),
    "not_owed": ("通知を要しないもの (ただし書)", "Not owed (proviso)"),
    "art27": ("発信者への通知 (第27条) の件数", "Notices to posters (Art. 27)"),
    "by_measure": ("措置の種類別", "By type of measure"),
    "by_clause": ("措置の種類と理由 (適用した削除基準) 別", "By measure and reason (criterion applied)"),
    "remove": ("削除", "Removal"),
    "restrict_visibility": ("閲覧制限", "Restricted visibility"),
    "suspend_account": ("アカウント停止", "Account suspension"),
    "no_action": ("措置なし", "No action"),
    "decisions": ("判断と自動化技術の利用", "Decisions and automated means"),
    "decisions_total": ("判断の件数", "Decisions taken"),
    "on_appeal": ("うち異議に対する判断", "Of which rulings on appeals"),
    "with_automated_detection": (
        "自動検知 (AI関連技術) が関与したもの",
        "With automated detection (AI-related technology)",
    ),
    "share_with_automated_detection": ("その割合", "Share"),
    "decided_by_a_person": ("人が判断したもの", "Decided by a person"),
    "automated_decisions": ("自動で判断したもの", "Decided automatically"),
    "removals_without_request": ("申出によらない措置", "Measures not started by a request"),
    "not_recorded": ("記録なし (下記「記録の限界」参照)", "Not recorded (see 'Limits of the records' below)"),
    "specialists": ("侵害情報調査専門員", "Specialists (Art. 24)"),
    "appointed": ("選任数", "Appointed"),
    "deciding": ("年度内に判断した人数", "Took decisions in the year"),
    "response_time": ("受付から通知までの時間", "Time from receipt to notice"),
    "median_hours": ("中央値 (時間)", "Median (hours)"),
    "p90_hours": ("90パーセンタイル (時間)", "90th percentile (hours)"),
    "within_period": ("期間内に通知", "Told within the period"),
    "share_within_period": ("期間内の割合", "Share within the period"),
    "overdue": ("期間超過", "Overdue"),
    "appeals": ("異議と判断の変更", "Appeals and reversals"),
    "filed": ("申立て", "Filed"),
    "ruled": ("判断済み", "Ruled"),
    "reversed": ("判断を変更", "Reversed"),
    "upheld": ("維持", "Upheld"),
    "open": ("未決", "Open"),
    "poster": ("発信者から", "By posters"),
    "requester": ("申出者から", "By requesters"),
    "inquiries": ("発信者への照会 (第3条第2項)", "Inquiries to posters (Art. 3(2))"),
    "sent": ("照会数", "Sent"),
    "waiting": ("回答待ち", "Waiting"),
    "consented": ("同意", "Consented"),
    "objected": ("不同意", "Objected"),
    "lapsed": ("期間内に回答なし", "No answer in the window"),
    "self_evaluation": ("自己評価", "Self-evaluation"),
    "no_evaluation": ("(未記入)", "(not written)"),
    "gaps": ("記録の限界", "Limits of the records"),
    "correction": ("訂正", "Correction"),
    "figure": ("項目", "Figure"),
    "was": ("公表時", "Published"),
    "now": ("訂正後", "Corrected"),
    "sha256": ("SHA-256", "SHA-256"),
}


def label(key: str, lang: str, **values: Any) -> str:
    ja, en = LABELS.get(key, (key, key))
    return (en if lang == "en" else ja).format(**values)


def right_label(right: str, lang: str) -> str:
    names = {
        "名誉権": "Reputation",
        "名誉感情": "Feelings of honour",
        "プライバシー": "Privacy",
        "肖像権": "Portrait",
        "私生活の平穏": "Peace of private life",
        "営業権": "Business",
        "その他": "Other",
    }
    return names.get(right, right) if lang == "en" else right


# ---------------------------------------------------------------- JSON and CSV


@cache
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def to_json(figures: dict[str, Any]) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def to_csv(figures: dict[str, Any]) -> str:
    """One row per figure: its dotted path and value (breakdowns as path[key]); text kept as text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "value"])
    for path, value in model.flatten(figures):
        writer.writerow([path, "" if value is None else value])
    return out.getvalue()


# ---------------------------------------------------------------- HTML


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    return env


def figures_context(figures: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the figures partial needs (the admin page and the public page use it too)."""
    return {
        "f": figures,
        "L": lambda key, **values: label(key, lang, **values),
        "R": lambda right: right_label(right, lang),
        "report_lang": lang,
    }


def to_html(figures: dict[str, Any], lang: str, corrections: list[dict[str, Any]] | None = None) -> str:
    """A standalone HTML document (no outside stylesheet or script), readable at 390 px."""
    template = _environment().get_template("transparency/document.html")
    return template.render(**figures_context(figures, lang), corrections=corrections or [])


# ---------------------------------------------------------------- PDF with charts

FONT_NAME = "IPAexGothic"


def find_font() -> Path:
    """IPAexGothic, found where the evidence reports find it (mamori.evidence.fonts)."""
    from mamori.evidence.fonts import japanese_font

    try:
        return japanese_font()
    except DomainError:
        raise DomainError(
            code="font_missing",
            status=503,
            ja="PDF に必要な日本語フォント IPAexGothic (ipaexg.ttf) がありません (apt-get install fonts-ipaexfont)。"
            "HTML・CSV・JSON は使えます。",
            en="The Japanese font IPAexGothic (ipaexg.ttf) needed for PDFs is not installed "
            "(apt-get install fonts-ipaexfont). HTML, CSV and JSON still work.",
        ) from None


@cache
def _register_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, path))
    return FONT_NAME


def _bar_chart(title: str, names: list[str], values: list[int], font: Path) -> bytes:
    """A horizontal bar chart as PNG (matplotlib, Agg: no display), labels in the report's language."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt
    from matplotlib.ticker import MaxNLocator

    prop = font_manager.FontProperties(fname=str(font))
    fig, ax = plt.subplots(figsize=(6.4, 0.45 * max(len(names), 2) + 0.9), dpi=150)
    try:
        ax.barh(range(len(names)), values, color="#2f5d8a")
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names, fontproperties=prop)
        ax.invert_yaxis()
        ax.set_title(title, fontproperties=prop)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v}", va="center", fontproperties=prop)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        return buf.getvalue()
    finally:
        plt.close(fig)


def _rows(figures: dict[str, Any], lang: str) -> list[tuple[str, list[list[str]]]]:
    """The report's sections as (title, rows of [label, value])."""

    def v(value: Any) -> str:
        return "—" if value is None else str(value)

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value * 100:.1f}%"

    req, a25, a27 = figures["requests"], figures["art25_notices"], figures["art27_notices"]
    dec, rt, ap, inq = (
        figures["decisions"],
        figures["response_time"],
        figures["appeals"],
        figures["inquiries"],
    )
    sections = [
        (
            label("requests", lang),
            [[label("total", lang), v(req["total"])], [label("repeats", lang), v(req["repeats"])]]
            + [
                [f"{label('by_right', lang)}: {right_label(r, lang)}", v(n)]
                for r, n in req["by_right"].items()
            ]
            + [[f"{label('by_channel', lang)}: {label(c, lang)}", v(n)] for c, n in req["by_channel"].items()]
            + [
                [
                    f"{label('by_service', lang)}: {s['name_en'] if lang == 'en' else s['name_ja']}",
                    v(s["count"]),
                ]
                for s in req["by_service"]
            ],
        ),
        (
            label("art25", lang),
            [[label("total", lang), v(a25["total"])]]
            + [
                [
                    label(k, lang),
                    f"{n}  ("
                    + ", ".join(
                        f"{right_label(r, lang)} {m}" for r, m in a25["by_kind_and_right"][k].items() if m
                    )
                    + ")",
                ]
                for k, n in a25["by_kind"].items()
            ]
            + [[label("not_owed", lang), v(a25["not_owed"])]],
        ),
        (
            label("art27", lang),
            [[label("total", lang), v(a27["total"])]]
            + [[label(m, lang), v(n)] for m, n in a27["by_measure"].items()]
            + [
                [f"{label(c['measure'], lang)} / {c['clause'] or '—'}", v(c["count"])]
                for c in a27["by_measure_and_clause"]
            ]
            + [[label("not_owed", lang), v(a27["not_owed"])]],
        ),
        (
            label("decisions", lang),
            [
                [label("decisions_total", lang), v(dec["total"])],
                [label("on_appeal", lang), v(dec["on_appeal"])],
                [label("with_automated_detection", lang), v(dec["with_automated_detection"])],
                [label("share_with_automated_detection", lang), pct(dec["share_with_automated_detection"])],
                [label("decided_by_a_person", lang), v(dec["decided_by_a_person"])],
                [label("automated_decisions", lang), v(dec["automated_decisions"])],
                [label("removals_without_request", lang), label("not_recorded", lang)],
            ],
        ),
        (
            label("specialists", lang),
            [
                [label("appointed", lang), v(figures["specialists"]["appointed"])],
                [label("deciding", lang), v(figures["specialists"]["deciding"])],
            ],
        ),
        (
            label("response_time", lang),
            [
                [label("median_hours", lang), v(rt["median_hours"])],
                [label("p90_hours", lang), v(rt["p90_hours"])],
                [label("within_period", lang), v(rt["within_period"])],
                [label("share_within_period", lang), pct(rt["share_within_period"])],
                [label("overdue", lang), v(rt["overdue"])],
            ],
        ),
        (
            label("appeals", lang),
            [[label(k, lang), v(ap[k])] for k in ("filed", "ruled", "reversed", "upheld", "open")],
        ),
        (
            label("inquiries", lang),
            [[label("sent", lang), v(inq["sent"])]]
            + [[label(k, lang), v(n)] for k, n in inq["by_outcome"].items()],
        ),
    ]
    return sections


def to_pdf(figures: dict[str, Any], lang: str, corrections: list[dict[str, Any]] | None = None) -> bytes:
    """The report as an A4 PDF: the figures as tables, two charts, the self-evaluation and the limits."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font_path = find_font()
    font = _register_font(str(font_path))
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=12, leading=18, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    year = int(figures["year"])
    story: list[Any] = [
        para(label("title", lang), title),
        para(label("year", lang, y=year, z=year + 1)),
        para(f"{label('computed_at', lang)}: {figures['computed_at']}"),
        Spacer(1, 4 * mm),
    ]
    for section, rows in _rows(figures, lang):
        story.append(para(section, head))
        table = Table([[para(a), para(b)] for a, b in rows], colWidths=[120 * mm, 45 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ]
            )
        )
        story.append(table)
    charts = [
        (
            label("by_right", lang),
            [right_label(r, lang) for r in figures["requests"]["by_right"]],
            list(figures["requests"]["by_right"].values()),
        ),
        (
            label("art25", lang),
            [label(k, lang) for k in figures["art25_notices"]["by_kind"]],
            list(figures["art25_notices"]["by_kind"].values()),
        ),
    ]
    for chart_title, names, values in charts:
        png = _bar_chart(chart_title, names, values, font_path)
        image = Image(io.BytesIO(png))
        scale = 165 * mm / image.drawWidth
        image.drawWidth, image.drawHeight = image.drawWidth * scale, image.drawHeight * scale
        story += [Spacer(1, 4 * mm), image]
    evaluation = (
        figures["self_evaluation"].get("en" if lang == "en" else "ja") or figures["self_evaluation"]["ja"]
    )
    story += [para(label("self_evaluation", lang), head), para(evaluation or label("no_evaluation", lang))]
    story.append(para(label("gaps", lang), head))
    story += [para("・" + gap["en" if lang == "en" else "ja"]) for gap in figures["gaps"]]
    for correction in corrections or []:
        story.append(para(f"{label('correction', lang)} {correction['published_at']}", head))
        story += [para(f"{c['path']}: {c['was']} → {c['now']}") for c in correction["changes"]]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=label("title", lang),
        author="mamori",
        invariant=1,
    )
    doc.build(story)
    return buf.getvalue()


def output(
    figures: dict[str, Any], fmt: str, lang: str, corrections: list[dict[str, Any]] | None = None
) -> bytes:
    """The report in one of FORMATS, as bytes."""
    if fmt == "json":
        return to_json(figures).encode("utf-8")
    if fmt == "csv":
        return to_csv(figures).encode("utf-8")
    if fmt == "html":
        return to_html(figures, lang, corrections).encode("utf-8")
    if fmt == "pdf":
        return to_pdf(figures, lang, corrections)
    raise DomainError(
        code="bad_format",
        field="format",
        ja=f"形式は {', '.join(FORMATS)} のいずれかです。",
        en=f"The format must be one of {', '.join(FORMATS)}.",
    )
