"""Notice texts from templates and the gettext catalogues: first line subject, the rest body.

A notice is written in the language its reader chose: Japanese, English, or やさしい日本語 (ja-easy).
For ja-easy the notice is the exact Japanese one (the legal wording must not change) followed by a
short summary in plain Japanese of what it means and what the reader can do
(`templates/notices/mail/easy/<kind>.txt`, catalogue `locale/ja-easy/LC_MESSAGES/notices.po`).
Notices to the operator have no summary: staff read the Japanese.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from mamori.core.i18n import EASY, formal_lang, normalise_lang, translate
from mamori.core.operator import OperatorProfile

TEMPLATES = Path(__file__).resolve().parent / "templates"
EASY_SUMMARIES = TEMPLATES / "notices" / "mail" / "easy"
# Between the exact Japanese and its plain summary, as "――――― English ―――――" in a bilingual mail.
EASY_RULE = "――――― やさしい にほんご ―――――"


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,  # noqa: S701 (plain-text mail, never HTML)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )
    return env


def operator_context(profile: OperatorProfile, lang: str) -> dict[str, Any]:
    """Who sends a notice and how to reach them (the operator set up with `mamori setup`), in `lang`."""
    contact = [profile.email, *(x for x in (profile.phone, profile.postal_address, profile.contact_url) if x)]
    return {"platform": profile.name(lang), "operator_contact": contact}


def contact_footer(context: dict[str, Any], lang: str) -> str:
    """The sender and their contact, under every notice to a requester or a poster."""
    contact = context.get("operator_contact")
    if not contact:
        return ""
    return f"\n――\n{context['platform']}\n{translate('Contact', lang)}: {' / '.join(contact)}\n"


def _gettext(lang: str) -> Any:
    def gettext(msgid: str, **values: Any) -> str:
        text = translate(msgid, lang)
        return text % values if values else text

    return gettext


def site_of(follow_url: str) -> str:
    """The address of the public site, from the link to a case (…/status/<receipt>?key=…)."""
    head, found, _ = follow_url.rpartition("/status/")
    return head if found else ""


def has_easy_summary(kind: str) -> bool:
    return (EASY_SUMMARIES / f"{kind}.txt").is_file()


def easy_summary(kind: str, context: dict[str, Any]) -> str:
    """The plain-Japanese summary of a notice of `kind` ("" for a kind without one)."""
    if not has_easy_summary(kind):
        return ""
    template = _environment().get_template(f"notices/mail/easy/{kind}.txt")
    values = {
        "site_url": site_of(str(context.get("follow_url") or "")),
        **context,
        "_": _gettext(EASY),
        "formal": _gettext("ja"),
    }
    return template.render(values).strip()


def compose(kind: str, lang: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notice of `kind` in `lang`; with `operator_context`, the operator's contact
    closes the body. For ja-easy: the Japanese notice, then its plain summary, then the contact (the
    caller gives the context's values, a measure's name or a date, in Japanese: `formal_lang`)."""
    lang = normalise_lang(lang)
    formal = formal_lang(lang)
    template = _environment().get_template(f"notices/mail/{kind}.txt")
    rendered = template.render({**context, "_": _gettext(formal)})
    subject, _, body = rendered.partition("\n")
    body = body.strip() + "\n"
    if lang == EASY:
        summary = easy_summary(kind, context)
        if summary:
            body += f"\n{EASY_RULE}\n\n{summary}\n"
    return subject.strip(), body + contact_footer(context, formal)
