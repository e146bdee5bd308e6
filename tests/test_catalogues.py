"""Every text a page template marks for translation (`_("...")`) has a Japanese translation.

Generic over every capability's templates (`src/mamori/*/templates/**/*.html`), read from the merged
catalogues exactly as the pages are rendered (`mamori.core.i18n.translations("ja")`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2.ext import babel_extract

from mamori.core.i18n import translations

SRC = Path(__file__).resolve().parents[1] / "src" / "mamori"
TEMPLATES = sorted(SRC.glob("*/templates/**/*.html"))

# Known gaps in catalogues this test's owner does not edit (reported to their owners); each entry is
# (template path relative to src/mamori, msgid). Remove an entry once its translation lands.
KNOWN_GAPS: frozenset[tuple[str, str]] = frozenset()


def marked_texts(template: Path) -> list[tuple[int, str]]:
    """(line, msgid) of every `_()` / `gettext()` call in a template."""
    with template.open("rb") as fh:
        found = babel_extract(fh, ["_", "gettext", "ngettext"], [], {})
        out = []
        for line, _func, message, _comments in found:
            for msgid in message if isinstance(message, tuple) else (message,):
                if msgid:
                    out.append((line, msgid))
    return out


def japanese_msgids() -> set[str]:
    """Msgids with a Japanese text in the merged catalogues (a text may equal its msgid, e.g. "ID")."""
    found: set[str] = set()
    layer: Any = translations("ja")
    while layer is not None:
        found |= {k for k, v in getattr(layer, "_catalog", {}).items() if isinstance(k, str) and k and v}
        layer = getattr(layer, "_fallback", None)
    return found


def untranslated() -> list[tuple[str, int, str]]:
    japanese = japanese_msgids()
    missing = []
    for template in TEMPLATES:
        for line, msgid in marked_texts(template):
            if msgid not in japanese:
                missing.append((str(template.relative_to(SRC)), line, msgid))
    return missing


def test_templates_are_found() -> None:
    assert any("workspace" in str(t) for t in TEMPLATES) and any("consult" in str(t) for t in TEMPLATES)


def test_every_marked_text_in_a_template_has_a_japanese_translation() -> None:
    missing = [m for m in untranslated() if (m[0], m[2]) not in KNOWN_GAPS]
    assert missing == [], "\n".join(f"{path}:{line}: {msgid!r}" for path, line, msgid in missing)


def test_each_known_gap_is_still_a_gap() -> None:
    """A gap that got its translation must leave the list, so the list stays honest."""
    gaps = {(path, msgid) for path, _line, msgid in untranslated()}
    assert sorted(KNOWN_GAPS - gaps) == []
