"""Server-rendered pages: one Jinja2 environment over every capability's templates, with gettext.

A page calls `render(request, "consult/start.html", {...})`. The language comes from `?lang=`, then
the `mamori_lang` cookie, then the browser's Accept-Language (ja or en), then Japanese. Public pages
offer 日本語, English and やさしい日本語 (ja-easy: catalogues under locale/ja-easy, falling back to ja);
staff pages offer ja and en, and show a ja-easy choice in ordinary Japanese. Templates use
`{{ _("English msgid") }}`. Each page gets a
CSP nonce (`csp_nonce`), added to its inline <script>/<style> tags, and the policy that allows it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from mamori.core.clock import format_jst
from mamori.core.i18n import DEFAULT_LANG, EASY, LANGS, formal_lang, normalise_lang, translate
from mamori.web.csrf import csrf_token_for, set_csrf_cookie
from mamori.web.headers import content_security_policy

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# An opening <script> or <style> tag that has no nonce yet.
_INLINE_TAG = re.compile(r"<(script|style)(?=[\s>])(?![^>]*\snonce=)", re.IGNORECASE)
LANG_COOKIE = "mamori_lang"
PAGE_LANGS = ("ja", "en", EASY)
STAFF_LANGS = ("ja", "en")
# The switch names each language in that language (an autonym), so it is never translated.
LANG_NAMES = {"ja": "日本語", "en": "English", EASY: "やさしい にほんご"}
# Where the quick exit goes: an ordinary weather page, nothing that hints at what was being read.
EXIT_URL = {"en": "https://www.bbc.com/weather", "ja": "https://www.jma.go.jp/bosai/forecast/"}
# Staff pages: no quick exit (every other page may be read by a person who must leave it at once).
STAFF_PATHS = (
    "/workspace",
    "/consult/records",
    "/consult/dashboard",
    "/login",
    "/logout",
    "/reports",
    "/disclosure",
    "/logs",
    "/reposts",
    "/channels",
    "/hotline",
    "/council",
    "/awareness/prompt-figures",
    "/awareness/lectures/requests",
    "/awareness/lectures/instructors",
    "/awareness/lectures/mine",
    "/awareness/lectures/statistics",
)
# Pages under a staff path that a harmed person (or a poster, a parent, a school) reads: they keep it.
PUBLIC_UNDER_STAFF = ("/disclosure/hearing", "/hotline/report")


def has_quick_exit(path: str) -> bool:
    if any(path == p or path.startswith(p + "/") for p in PUBLIC_UNDER_STAFF):
        return True
    return not any(path == p or path.startswith(p + "/") for p in STAFF_PATHS)


def lang_href(request: Request, lang: str) -> str:
    """This page in another language, keeping the rest of its query (a status key, the answers)."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return request.url.path + "?" + urlencode([*query, ("lang", lang)])


@cache
def environment() -> jinja2.Environment:
    # web/templates holds the shared layout; each capability keeps <capability>/templates/<capability>/…
    folders = [PACKAGE_DIR / "web" / "templates"]
    folders += sorted(p for p in PACKAGE_DIR.glob("*/templates") if p.parent.name != "web")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    # Dates read the same in Japanese and in やさしい日本語 (2026年4月1日 22:30:00 (日本時間)).
    env.filters["jst"] = lambda value, lang="ja": format_jst(value, formal_lang(lang)) if value else ""
    return env


def with_nonce(html: str, nonce: str) -> str:
    """Every <script> and <style> tag of the page carries the page's CSP nonce. Only tags written in
    our templates can be there: autoescaping turns any "<" in data into "&lt;"."""
    return _INLINE_TAG.sub(rf'<\1 nonce="{nonce}"', html)


def accepted_lang(header: str) -> str | None:
    """The language of ours (ja, en) the browser ranks highest in Accept-Language, if any."""
    best: tuple[float, str] | None = None
    for part in header.split(",")[:20]:
        name, _, params = part.strip().partition(";")
        head = name.strip().lower().split("-")[0]
        if head not in LANGS:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 1.0
        # Higher quality first; between equals, the one the browser named first.
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, head)
    return best[1] if best else None


def chosen_lang(value: str | None) -> str | None:
    """The language a ?lang= or the cookie names, if it is one of ours (a stray value is no choice)."""
    if not value:
        return None
    lang = normalise_lang(value[:20])
    named = value.strip().lower().replace("_", "-").split("-")[0]
    return lang if lang in PAGE_LANGS and (lang == EASY or named == lang) else None


def page_lang(request: Request) -> str:
    """?lang=, then the cookie, then the browser's Accept-Language, then Japanese."""
    return (
        chosen_lang(request.query_params.get("lang"))
        or chosen_lang(request.cookies.get(LANG_COOKIE))
        or accepted_lang(request.headers.get("accept-language", ""))
        or DEFAULT_LANG
    )


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    lang: str | None = None,
) -> HTMLResponse:
    """Render a page in the request's language, with the CSRF token and the language switch."""
    lang = lang or page_lang(request)
    public = has_quick_exit(request.url.path)
    if lang == EASY and not public:
        lang = "ja"  # staff pages have no やさしい日本語: a choice kept from the public pages reads as ja
    env = environment()

    def gettext(msgid: str, **values: Any) -> str:
        text = translate(msgid, lang)
        return text % values if values else text

    def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
        return gettext(singular if n == 1 else plural, n=n, **values)

    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    token = csrf_token_for(request)
    nonce = secrets.token_urlsafe(18)
    ctx: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "html_lang": "ja" if lang.startswith("ja") else "en",
        "csrf_token": token,
        "csp_nonce": nonce,
        "now": dt.datetime.now(dt.UTC),
        "principal": getattr(request.state, "principal", None),
        "quick_exit": public,
        "page_langs": [(code, LANG_NAMES[code]) for code in (PAGE_LANGS if public else STAFF_LANGS)],
        "exit_url": EXIT_URL["en" if lang == "en" else "ja"],
        "lang_href": lambda other: lang_href(request, other),
        "_": gettext,
    }
    ctx.update(context or {})
    body = with_nonce(env.get_template(template).render(ctx), nonce)
    response = HTMLResponse(body, status_code=status_code)
    response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    if chosen := chosen_lang(request.query_params.get("lang")):  # kept as chosen, ja-easy on a staff page too
        response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    set_csrf_cookie(request, response, token)
    return response
