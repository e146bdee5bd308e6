"""Notice texts from templates and the gettext catalogues: first line subject, the rest body."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from mamori.core.i18n import translate
from mamori.core.operator import OperatorProfile

TEMPLATES = Path(__file__).resolve().parent / "templates"


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


def compose(kind: str, lang: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a notice of `kind` in `lang`; with `operator_context`, the operator's contact
    closes the body."""
    env = _environment()

    def gettext(msgid: str, **values: Any) -> str:
        text = translate(msgid, lang)
        return text % values if values else text

    template = env.get_template(f"notices/mail/{kind}.txt")
    rendered = template.render({**context, "_": gettext})
    subject, _, body = rendered.partition("\n")
    return subject.strip(), body.strip() + "\n" + contact_footer(context, lang)
