"""Images of removed content: PDQ hashes (Meta's perceptual hash, via the pdqhash binding) and the text
of a screenshot read by OCR (Debian's tesseract with its Japanese model), then matched as text."""

from __future__ import annotations

import io
import logging
from functools import lru_cache

from mamori.core.errors import DomainError

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 20_000_000
# PDQ's own quality score (0-100): below this the hash of a flat or tiny image matches too much.
MIN_PDQ_QUALITY = 50
JAPANESE_FONTS = ("Noto Sans CJK JP", "IPAexGothic", "IPAGothic")


def _open(data: bytes, field: str):  # type: ignore[no-untyped-def]
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise DomainError(
            code="image_too_large",
            field=field,
            ja=f"画像は{MAX_IMAGE_BYTES // (1024 * 1024)}MBまでです。",
            en=f"An image may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.",
        )
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise DomainError(
                code="image_too_large",
                field=field,
                ja="画像の画素数が多すぎます。",
                en="The image has too many pixels.",
            )
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise DomainError(
            code="image_unreadable", field=field, ja="画像を読み取れません。", en="The image cannot be read."
        ) from exc
    return image.convert("RGB")


def pdq(data: bytes, field: str = "image") -> tuple[str, int]:
    """The PDQ hash (64 hex digits) of an image and PDQ's quality score."""
    import numpy as np
    import pdqhash

    image = _open(data, field)
    bits, quality = pdqhash.compute(np.asarray(image))
    value = 0
    for bit in bits:
        value = (value << 1) | int(bit)
    return f"{value:064x}", int(quality)


@lru_cache(maxsize=1)
def ocr_available() -> bool:
    """Whether tesseract and its Japanese model are installed (asked once per process)."""
    try:
        import pytesseract

        return "jpn" in pytesseract.get_languages(config="")
    except Exception:  # no tesseract binary at all is the same answer
        return False


def ocr_text(data: bytes, field: str = "image") -> str:
    """The Japanese text tesseract reads in an image (empty when it finds none)."""
    import pytesseract

    image = _open(data, field)
    return str(pytesseract.image_to_string(image, lang="jpn"))


@lru_cache(maxsize=1)
def japanese_font_path() -> str | None:
    """A font file with Japanese glyphs (for charts and the generated screenshots), or None, loudly."""
    from matplotlib import font_manager

    for family in JAPANESE_FONTS:
        try:
            return str(
                font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
            )
        except ValueError:
            continue
    log.error(
        "NO JAPANESE FONT (tried %s): install fonts-noto-cjk or fonts-ipaexfont", ", ".join(JAPANESE_FONTS)
    )
    return None
