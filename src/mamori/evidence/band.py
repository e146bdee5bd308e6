"""A copy of the screenshot with the URL and the capture time (JST) printed in a band across the top,
as Japanese lawyers and courts expect on a printout. The original screenshot is kept untouched."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw, ImageFont

from mamori.core.clock import format_jst
from mamori.evidence.fonts import japanese_font

FONT_SIZE = 20
PADDING = 14
LINE_GAP = 6
BAND_COLOUR = (255, 248, 220)
INK = (0, 0, 0)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, current = [], ""
    for char in text:
        if font.getlength(current + char) > width and current:
            lines.append(current)
            current = "  " + char
        else:
            current += char
    return [*lines, current]


def band_lines(
    *, url: str, final_url: str, captured_at: dt.datetime, item_id: str, screenshot_sha256: str
) -> list[str]:
    """The text of the band, in Japanese (what a court reads) with UTC alongside."""
    lines = [f"URL: {final_url}"]
    if final_url != url:
        lines.append(f"要求したURL: {url}")
    utc = captured_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append(f"取得日時: {format_jst(captured_at, 'ja')}  /  {utc} (UTC)")
    lines.append(f"mamori 証拠ID: {item_id}   元画像 SHA-256: {screenshot_sha256}")
    return lines


def with_band(screenshot_png: bytes, lines: list[str]) -> bytes:
    """PNG of the screenshot below a band carrying `lines`."""
    shot = Image.open(io.BytesIO(screenshot_png)).convert("RGB")
    font = ImageFont.truetype(str(japanese_font()), FONT_SIZE)
    width = max(shot.width, 800)
    wrapped = [part for line in lines for part in _wrap(line, font, width - 2 * PADDING)]
    line_height = FONT_SIZE + LINE_GAP
    band_height = 2 * PADDING + line_height * len(wrapped)
    out = Image.new("RGB", (width, band_height + shot.height), "white")
    draw = ImageDraw.Draw(out)
    draw.rectangle((0, 0, width, band_height - 1), fill=BAND_COLOUR)
    draw.line((0, band_height - 1, width, band_height - 1), fill=INK, width=2)
    for i, text in enumerate(wrapped):
        draw.text((PADDING, PADDING + i * line_height), text, font=font, fill=INK)
    out.paste(shot, (0, band_height))
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
