"""The Japanese evidence profile, read from what the captured page itself shows.

URL, 投稿日時, 取得日時, 投稿者 (name and id) and whether the post's own permalink was captured
(access providers ask for it). What the page does not show is listed as still needed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mamori.evidence.model import EvidenceProfile

# Run in the captured page: only reads the DOM.
EXTRACT_JS = r"""
() => {
  const attr = (sel, name) =>
    [...document.querySelectorAll(sel)].map(e => e.getAttribute(name)).filter(Boolean);
  const ld = [];
  for (const s of document.querySelectorAll('script[type="application/ld+json"]')) {
    try { const v = JSON.parse(s.textContent); (Array.isArray(v) ? v : [v]).forEach(x => ld.push(x)); }
    catch (e) {}
  }
  const ldAuthor = ld.map(x => x && x.author).filter(Boolean).map(a => Array.isArray(a) ? a[0] : a);
  return {
    times: [...attr('meta[property="article:published_time"]', 'content'),
            ...attr('meta[itemprop="datePublished"]', 'content'),
            ...ld.map(x => x && x.datePublished).filter(Boolean),
            ...attr('time[datetime]', 'datetime')],
    author_names: [...ldAuthor.map(a => typeof a === 'string' ? a : a.name).filter(Boolean),
                   ...attr('meta[name="author"]', 'content'),
                   ...[...document.querySelectorAll('[rel~="author"]')].map(e => e.textContent.trim())
                        .filter(Boolean)],
    author_ids: [...ldAuthor.map(a => typeof a === 'object' && (a.alternateName || a.identifier))
                   .filter(Boolean).map(String),
                 ...attr('meta[name="twitter:creator"]', 'content')],
    user_name_blocks: [...document.querySelectorAll('[data-testid="User-Name"]')]
                        .map(e => e.innerText.trim()).filter(Boolean),
    canonical: attr('link[rel="canonical"]', 'href')[0] || null,
    og_url: attr('meta[property="og:url"]', 'content')[0] || null,
    title: document.title || '',
  };
}
"""

# Addresses of a single post on the services the centre sees most (X, Meta, Google, LINEヤフー, 爆サイ…).
POST_PERMALINK = re.compile(
    r"/status(?:es)?/\d+|/posts?/[\w-]+|/p/[\w-]+|/comments?/[\w-]+|/watch\?v=|/shorts/[\w-]+"
    r"|/question_detail/|/thread/\d+/\d+|/reel/[\w-]+|/story\.php|/permalink",
    re.IGNORECASE,
)
HANDLE = re.compile(r"@[A-Za-z0-9_]{1,30}")


def _normal(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/") or "/", parts.query, "")
    )


def _first(values: Any) -> str | None:
    for value in values or []:
        text = str(value).strip()
        if text:
            return text[:300]
    return None


def build_profile(
    facts: dict[str, Any], *, url: str, final_url: str, captured_at: dt.datetime
) -> EvidenceProfile:
    """The profile from the page's facts (EXTRACT_JS); None where the page did not show a field."""
    blocks = facts.get("user_name_blocks") or []
    poster_id = _first(facts.get("author_ids"))
    poster_name = _first(facts.get("author_names"))
    if blocks:  # X shows "name\n@handle" in one block
        handle = HANDLE.search(blocks[0])
        poster_id = poster_id or (handle.group(0) if handle else None)
        poster_name = poster_name or _first(blocks[0].splitlines())
    permalink = facts.get("canonical") or facts.get("og_url")
    times = facts.get("times") or []
    is_post_address = bool(POST_PERMALINK.search(urlsplit(final_url).path + "?" + urlsplit(final_url).query))
    declares_itself = bool(permalink) and _normal(str(permalink)) == _normal(final_url)
    single_post = declares_itself and len(set(times)) == 1
    return EvidenceProfile(
        url=final_url,
        captured_at=captured_at,
        posted_at=_first(times),
        poster_name=poster_name,
        poster_id=poster_id,
        permalink=str(permalink) if permalink else None,
        permalink_captured=is_post_address or single_post,
    )
