"""Japanese first, English too: every catalogue under locale/<lang>/LC_MESSAGES/*.po, merged per language.

msgids are English source strings; each capability keeps its own .po file (its gettext domain) so that
teams never edit the same catalogue. Catalogues are compiled in memory at first use: no build step.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"
# やさしい日本語 (plain Japanese): every public page and the summary under each notice to a requester.
EASY = "ja-easy"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def normalise_lang(value: str | None) -> str:
    if not value:
        return DEFAULT_LANG
    value = value.strip().lower().replace("_", "-")
    if value in ("ja-easy", "easy-ja", "ja-x-easy"):
        return "ja-easy"
    head = value.split("-")[0]
    return head if head in LANGS else DEFAULT_LANG


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """All catalogues of one language merged; unknown msgids fall back to the msgid (English)."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for po_path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=lang.split("-")[0])
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        layer = gettext.GNUTranslations(buf)
        layer.add_fallback(merged)
        merged = layer
    return merged


def translate(msgid: str, lang: str) -> str:
    """The text of msgid in lang (ja, en or ja-easy, which falls back to ja)."""
    lang = normalise_lang(lang)
    if lang == "ja-easy":
        easy = translations("ja-easy").gettext(msgid)
        return easy if easy != msgid else translations("ja").gettext(msgid)
    return translations(lang).gettext(msgid)


def formal_lang(lang: str) -> str:
    """The language of legal text and formatted values for a reader of `lang`: やさしい日本語 readers get
    the exact Japanese (a notice's legal wording, dates, a measure's name), with a plain summary beside."""
    lang = normalise_lang(lang)
    return "ja" if lang == EASY else lang


def both(msgid: str) -> dict[str, str]:
    """{"ja": ..., "en": ...} for JSON answers."""
    return {lang: translate(msgid, lang) for lang in LANGS}
