"""What the writer and the reviewer read, as msgids of the detect catalogue (locale/*/detect.po)."""

from __future__ import annotations

from mamori.core.i18n import both
from mamori.detect.model import Category, Notice

NUDGE_MESSAGE: dict[Category, str] = {
    Category.DEFAMATION: (
        "This post states something that could lower a person's standing. Is it true, and does it need "
        "to be said in public? Criticism of conduct is fine; an unproven accusation can be defamation."
    ),
    Category.INSULT: (
        "These words may deeply hurt the person you are writing about. You can disagree without "
        "insulting. Would you say this to their face?"
    ),
    Category.THREAT: (
        "This post reads as a threat to someone's safety. Threats can be a crime, even as a joke. "
        "Please stop and reconsider."
    ),
    Category.PRIVACY: (
        "This post contains personal data such as an address, phone number or My Number. Publishing "
        "someone's personal data can violate their privacy."
    ),
    Category.DISCRIMINATION: (
        "This post may attack people for who they are (origin, nationality, disability, sex). "
        "Please reconsider the words you chose."
    ),
    Category.ABUSE: (
        "This post may hurt someone. Take a moment before posting: once posted, it can spread and "
        "cannot be fully taken back."
    ),
}

NOTICE_MESSAGE: dict[Notice, str] = {
    Notice.EMPTY: "The text is empty; nothing was scored.",
    Notice.TRUNCATED: "The text was longer than 10,000 characters; only the first 10,000 were scored.",
    Notice.NOT_JAPANESE: "The text contains no Japanese; the model was trained on Japanese posts only.",
    Notice.CONTROL_CHARACTERS: "Control characters were replaced by spaces before scoring.",
    Notice.SCREENED: "Screened by the fast first stage only; it found nothing worth the full model.",
}


def in_both_languages(msgid: str) -> dict[str, str]:
    """{"ja": ..., "en": ...} for a msgid of the detect catalogue."""
    return both(msgid)
