"""The evidence report for a lawyer, the police or the 法務局: each item with its time, source, hash
and a thumbnail, as PDF (IPAexGothic, so Japanese renders anywhere) and as HTML."""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from html import escape
from pathlib import Path

import jinja2
from PIL import Image
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from mamori.core.clock import format_jst
from mamori.evidence.fonts import japanese_font
from mamori.evidence.model import PROFILE_FIELD_LABELS, EvidenceItem

FONT = "IPAexGothic"
KIND_JA = {"capture": "サーバー取得", "upload": "提出ファイル", "redaction": "墨消し版"}
OWNER_JA = {"case": "案件", "consultation": "相談"}
TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class ReportItem:
    item: EvidenceItem
    thumbnail_png: bytes | None  # small PNG, or None when the item is not an image


@dataclass(frozen=True)
class Report:
    owner_type: str
    owner_id: str
    generated_at: dt.datetime
    ledger_intact: bool
    items: list[ReportItem]

    @property
    def title(self) -> str:
        return "証拠保全報告書"


def thumbnail(picture: bytes | None, width: int = 360) -> bytes | None:
    """A small PNG of an image (the top of a long screenshot), or None when it is not one."""
    if not picture:
        return None
    try:
        with Image.open(io.BytesIO(picture)) as opened:
            img = opened.convert("RGB")
            top = img.crop((0, 0, img.width, min(img.height, int(img.width * 0.9))))
            top.thumbnail((width, width))
            buf = io.BytesIO()
            top.save(buf, format="PNG")
            return buf.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(japanese_font())))


def _rows(entry: ReportItem) -> list[tuple[str, str]]:
    item = entry.item
    utc = item.captured_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [
        ("証拠ID", item.id),
        ("種類", KIND_JA.get(str(item.kind), str(item.kind))),
        (
            "取得日時",
            f"{format_jst(item.captured_at, 'ja')} / {utc}",
        ),
        ("ファイル", f"{item.file_name} ({item.media_type}, {item.size:,} bytes)"),
        ("SHA-256", item.sha256),
    ]
    if item.url:
        rows.insert(2, ("URL", item.final_url or item.url))
    if item.parent_id:
        rows.append(("元の証拠", item.parent_id))
    if item.profile:
        p = item.profile
        rows.append(("投稿日時", p.posted_at or "—"))
        rows.append(("投稿者", " ".join(x for x in (p.poster_name, p.poster_id) if x) or "—"))
        rows.append(("パーマリンク", "取得済み" if p.permalink_captured else "未取得"))
        if p.still_needed:
            rows.append(("要追加", "、".join(PROFILE_FIELD_LABELS[f][0] for f in p.still_needed)))
    return rows


def render_pdf(report: Report) -> bytes:
    """The report as PDF (A4), Japanese throughout."""
    _register_font()
    title = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=26)
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", fontName=FONT, fontSize=12, leading=16)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=report.title,
        author="mamori",
    )
    story: list[object] = [
        Paragraph(report.title, title),
        Spacer(1, 4 * mm),
        Paragraph(f"対象: {OWNER_JA.get(report.owner_type, report.owner_type)} {report.owner_id}", body),
        Paragraph(f"作成日時: {format_jst(report.generated_at, 'ja')}", body),
        Paragraph(
            f"証拠台帳 (ハッシュ連鎖): {'改ざんなし' if report.ledger_intact else '不整合あり — 要確認'}"
            f" / 件数: {len(report.items)}",
            body,
        ),
        Spacer(1, 6 * mm),
    ]
    for n, entry in enumerate(report.items, 1):
        story.append(Paragraph(f"{n}. {KIND_JA.get(str(entry.item.kind), '')}", head))
        table = Table(
            [[Paragraph(k, body), Paragraph(escape(v), body)] for k, v in _rows(entry)],
            colWidths=[28 * mm, 152 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ]
            )
        )
        story.append(table)
        if entry.thumbnail_png:
            with Image.open(io.BytesIO(entry.thumbnail_png)) as img:
                w, h = img.size
            width = 80 * mm
            story += [
                Spacer(1, 2 * mm),
                PdfImage(io.BytesIO(entry.thumbnail_png), width=width, height=width * h / w),
            ]
        story.append(Spacer(1, 6 * mm))
    story.append(Paragraph("各ファイルの SHA-256 は mamori evidence verify で照合できます。", body))
    doc.build(story)
    return buf.getvalue()


def render_html(report: Report) -> str:
    """The same report as a standalone HTML page (thumbnails inline)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    template = env.get_template("evidence/report.html")
    entries = [
        {
            "rows": _rows(e),
            "kind": KIND_JA.get(str(e.item.kind), ""),
            "thumb": base64.b64encode(e.thumbnail_png).decode() if e.thumbnail_png else None,
        }
        for e in report.items
    ]
    return template.render(
        report=report,
        entries=entries,
        owner=OWNER_JA.get(report.owner_type, report.owner_type),
        generated=format_jst(report.generated_at, "ja"),
    )
