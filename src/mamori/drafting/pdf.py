"""A laid-out form as an A4 PDF with Japanese text (ReportLab and the IPAexGothic TrueType font).

IPAexGothic comes from Debian's `fonts-ipaexfont`; it is embedded (subset) in every PDF, so the
recipient needs no Japanese font. Without it no PDF is made: a clear error says what to install.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from mamori.core.errors import DomainError
from mamori.drafting.document import Document

FONT_NAME = "IPAexGothic"
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/OTF/ipaexg.ttf",
    "/Library/Fonts/ipaexg.ttf",
)


class FontMissing(DomainError):
    def __init__(self) -> None:
        super().__init__(
            code="font_missing",
            status=503,
            ja="PDF に必要な日本語フォント IPAexGothic (ipaexg.ttf) が見つかりません。"
            "サーバーに fonts-ipaexfont をインストールしてください（apt-get install fonts-ipaexfont）。"
            "テキスト形式の出力は使えます。",
            en="The Japanese font IPAexGothic (ipaexg.ttf) needed for PDFs is not installed. "
            "Install fonts-ipaexfont on the server (apt-get install fonts-ipaexfont). "
            "Plain-text output still works.",
        )


def find_font(candidates: tuple[str, ...] = FONT_CANDIDATES) -> Path:
    """The IPAexGothic file: a known Debian/macOS path first, then fontconfig; FontMissing if none."""
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(  # fixed arguments, no shell
            [fc_match, "-f", "%{file}", "IPAexGothic"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
        if found and Path(found).is_file() and "ipaexg" in Path(found).name.lower():
            return Path(found)
    raise FontMissing()


@cache
def _register_font(path: str) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, path))
    return FONT_NAME


def _para(text: str, style: object) -> object:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), style)  # type: ignore[arg-type]


def render_pdf(doc: Document, *, font_path: Path | None = None) -> bytes:
    """The form as PDF bytes: the standard layout with a bordered table of the items (記)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_font(str(font_path or find_font()))
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11)
    label = ParagraphStyle("label", parent=body, fontSize=9, leading=13)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)
    title = ParagraphStyle("title", parent=body, fontSize=15, leading=22, alignment=TA_CENTER)
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER)
    addressee = ParagraphStyle("addressee", parent=body, fontSize=12, leading=18)

    width = A4[0] - 40 * mm
    story: list[object] = [
        _para(f"{doc.dated.year}年{doc.dated.month}月{doc.dated.day}日", right),
        Spacer(1, 4 * mm),
        _para(doc.addressee, addressee),
        Spacer(1, 4 * mm),
    ]
    requester = Table(
        [[_para("［申出者］", label), ""]]
        + [[_para(r.label, label), _para(r.value, body)] for r in doc.requester],
        colWidths=[22 * mm, 78 * mm],
        hAlign="RIGHT",
    )
    requester.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("SPAN", (0, 0), (1, 0))]))
    story += [requester, Spacer(1, 6 * mm), _para(doc.title, title), Spacer(1, 5 * mm)]
    story += [_para(doc.preamble, body), Spacer(1, 3 * mm), _para("記", centre), Spacer(1, 3 * mm)]
    table = Table(
        [[_para(row.label, label), _para(row.value, body)] for row in doc.rows],
        colWidths=[45 * mm, width - 45 * mm],
        repeatRows=0,
    )
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.93, 0.93, 0.93)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    story += [table, Spacer(1, 5 * mm)]
    story += [_para(text, body) for text in doc.declarations]
    story += [Spacer(1, 4 * mm), _para("以上", right)]
    if doc.evidence:
        story += [PageBreak(), _para("別紙　証拠一覧", title), Spacer(1, 3 * mm)]
        story.append(
            _para(
                "各証拠ファイルの SHA-256 ハッシュ値により、提出後に内容が変わっていないことを確認できます。",
                small,
            )
        )
        story.append(Spacer(1, 3 * mm))
        rows = [[_para("番号", label), _para("証拠の説明・SHA-256・取得元", label)]]
        for number, item in enumerate(doc.evidence, start=1):
            lines = [item.description] + ([f"SHA-256: {item.sha256}"] if item.sha256 else [])
            lines += [f"URL: {item.url}"] if item.url else []
            rows.append([_para(f"{number}", label), _para("\n".join(lines), small)])
        evidence = Table(rows, colWidths=[14 * mm, width - 14 * mm])
        evidence.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.93, 0.93)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(evidence)

    def footer(canvas: object, template: object) -> None:
        canvas.setFont(font, 8)  # type: ignore[attr-defined]
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"- {canvas.getPageNumber()} -")  # type: ignore[attr-defined]

    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=doc.title,
        invariant=True,
    )
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)  # type: ignore[arg-type]
    return buffer.getvalue()
