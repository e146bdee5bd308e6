"""Public pages of the guided consultation: one plain question at a time, no account, nothing stored.

Every answer so far travels in the query (`?a=no,yes,solve`), so the pages work without JavaScript and
the back link is simply the path minus its last answer. Responses are not cached and send no referrer.
The counsellors' pages live in staff_pages.py and are mounted on the same router.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from mamori.consult.catalogue import consult_map
from mamori.consult.model import Step, UnknownAnswer, recommended, walk
from mamori.consult.staff_pages import router as staff_router
from mamori.consult.triage import MAX_TEXT, suggest_rights_for
from mamori.core.errors import DomainError, NotFound
from mamori.web.deps import PUBLIC
from mamori.web.templating import LANG_COOKIE, page_lang, render

# Anyone may use the consultation: no account, nothing stored. The staff pages are mounted beside it.
public = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
router = APIRouter(include_in_schema=False)
# Where the quick exit goes: an ordinary weather page, nothing that hints at what was being read.
# Results where the person said they feel in danger: the emergency calls come first, large.
DANGER_RESULTS = frozenset({"urgent", "police"})
PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _public(
    request: Request, template: str, context: dict[str, Any], *, answers: list[str] | None = None
) -> HTMLResponse:
    lang = page_lang(request)
    path = request.url.path
    here = f"{path}?a={','.join(answers)}&" if answers else f"{path}?"
    ctx = {
        "lang_query": f"?lang={lang}",
        "lang_amp": f"&lang={lang}",
        "here": here,
        **context,
    }
    response = render(request, template, ctx, lang=lang)
    response.headers.update(PRIVATE_HEADERS)
    # No lasting trace: the language travels in every link, so the year-long language cookie is dropped.
    lang_cookie = f"{LANG_COOKIE}=".encode()
    response.raw_headers = [
        (k, v) for k, v in response.raw_headers if not (k == b"set-cookie" and v.startswith(lang_cookie))
    ]
    response.delete_cookie(LANG_COOKIE)
    return response


def _step(answers: str) -> Step:
    parts = [a for a in answers.split(",") if a][:20]
    try:
        return walk(consult_map().tree, parts)
    except UnknownAnswer as exc:
        raise DomainError(
            code="unknown_answer",
            field="a",
            status=400,
            ja="この回答は質問に合いません。最初からやり直してください。",
            en=f"That answer does not fit the question ({exc}). Please start again.",
        ) from exc


@public.get("/consult")
def start(request: Request) -> HTMLResponse:
    listen = consult_map().bodies["mamorouyo-kokoro"]
    return _public(request, "consult/start.html", {"listen_name": listen.name(page_lang(request))})


@public.get("/consult/q")
def question(request: Request, a: Annotated[str, Query(max_length=400)] = "") -> HTMLResponse:
    step = _step(a)
    answers = list(step.answers)
    if not step.node.is_leaf:
        return _public(
            request,
            "consult/question.html",
            {"node": step.node, "answers": answers, "back": step.back, "number": len(answers) + 1},
            answers=answers,
        )
    cmap = consult_map()
    main, extra = recommended(cmap.tree, step)
    return _public(
        request,
        "consult/result.html",
        {
            "node": step.node,
            "answers": answers,
            "back": step.back,
            "danger": step.node.id in DANGER_RESULTS,
            "main_bodies": [cmap.bodies[b] for b in main],
            "extra_bodies": [cmap.bodies[b] for b in extra],
        },
        answers=answers,
    )


@public.get("/consult/save")
def save(request: Request, a: Annotated[str, Query(max_length=400)] = "") -> Response:
    """The result as a text file for the person's own device; nothing is kept on the server."""
    step = _step(a)
    if not step.node.is_leaf:
        raise NotFound("result", a)
    lang = page_lang(request)
    cmap = consult_map()
    main, extra = recommended(cmap.tree, step)
    lines = [step.node.result(lang) if step.node.result else "", ""]  # type: ignore[misc]
    for body_id in [*main, *extra]:
        body = cmap.bodies[body_id]
        lines += [f"■ {body.name(lang)}", body.does(lang)]
        lines += [f"  {r.label(lang) + ': ' if r.label else ''}{r.value}" for r in body.reach]
        lines += [body.prepare(lang), ""]
    return PlainTextResponse(
        "\n".join(lines),
        headers={"Content-Disposition": 'attachment; filename="memo.txt"', **PRIVATE_HEADERS},
    )


@public.get("/consult/bodies/{body_id}")
def body_page(request: Request, body_id: str) -> HTMLResponse:
    body = consult_map().bodies.get(body_id)
    if body is None:
        raise NotFound("body", body_id)
    return _public(request, "consult/body.html", {"body": body})


@public.get("/consult/guides")
def guides(request: Request) -> HTMLResponse:
    return _public(request, "consult/guides.html", {"guides": list(consult_map().services.values())})


@public.get("/consult/guides/{service_id}")
def guide(request: Request, service_id: str) -> HTMLResponse:
    found = consult_map().services.get(service_id)
    if found is None:
        raise NotFound("service", service_id)
    return _public(request, "consult/guide.html", {"guide": found})


@public.get("/consult/what-happened")
def what_happened_form(request: Request) -> HTMLResponse:
    return _public(
        request,
        "consult/what_happened.html",
        {"text": "", "rights": [], "available": True, "threat": False},
    )


@public.post("/consult/what-happened")
def what_happened(request: Request, text: Annotated[str, Form(max_length=MAX_TEXT)] = "") -> HTMLResponse:
    """Suggest the rights a pasted post may infringe; the text is shown blurred and never stored."""
    suggestion = suggest_rights_for(text)
    return _public(
        request,
        "consult/what_happened.html",
        {
            "text": text.strip(),
            "rights": suggestion.labels(page_lang(request)),
            "available": suggestion.available,
            "threat": suggestion.threat,
        },
    )


router.include_router(public)
router.include_router(staff_router)
