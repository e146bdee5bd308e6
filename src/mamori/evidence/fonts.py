"""The Japanese TrueType font for screenshot bands and PDF reports (IPAexGothic, Debian fonts-ipaexfont)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from mamori.core.errors import DomainError

CANDIDATES = (
    Path("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)


@cache
def japanese_font() -> Path:
    """Path of a TrueType (glyf) Japanese font; refuses clearly when none is installed."""
    for path in CANDIDATES:
        if path.exists():
            return path.resolve()
    found = sorted(Path("/usr/share/fonts").rglob("ipaexg.ttf"))
    if found:
        return found[0]
    raise DomainError(
        code="evidence_no_japanese_font",
        status=500,
        ja="日本語フォントがありません (apt-get install fonts-ipaexfont)。",
        en="No Japanese font installed (apt-get install fonts-ipaexfont).",
    )
