"""Safe headers on every page: a CSP the templates satisfy, no framing, no referrer, nothing cached."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from mamori.web.headers import content_security_policy, template_hashes
from tests.workspace import support


def directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def test_every_page_forbids_framing_and_foreign_scripts(client: Any) -> None:
    for path in ("/", "/login", "/request", "/consult", "/no/such/page", "/api/v1/removal-requests/schema"):
        answer = client.get(path)
        policy = directives(answer.headers["content-security-policy"])
        assert policy["frame-ancestors"] == ["'none'"] and answer.headers["x-frame-options"] == "DENY", path
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert "'unsafe-inline'" not in policy["style-src"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"


def test_staff_status_and_personal_pages_are_never_cached(client: Any, db: Session) -> None:
    support.staff(db, "s@staff.test", ["specialist"])
    client.get("/login")
    token = client.cookies.get("mamori_csrf").split(".")[0]
    client.post("/login", data={"email": "s@staff.test", "password": support.PASSWORD, "csrf_token": token})
    for path in ("/workspace", "/status/R-20260401-0001?key=nope", "/api/v1/cases", "/login"):
        assert client.get(path).headers["cache-control"] == "no-store", path


def test_static_files_may_be_cached(client: Any) -> None:
    answer = client.get("/static/mamori.css")
    assert answer.status_code == 200 and "no-store" not in answer.headers.get("cache-control", "")


def test_a_rendered_page_gives_its_inline_blocks_the_nonce_of_its_policy(client: Any) -> None:
    answer = client.get("/consult")
    nonce = re.search(r"'nonce-([^']+)'", answer.headers["content-security-policy"])
    assert nonce is not None
    tags = re.findall(r"<(?:script|style)\b[^>]*>", answer.text)
    assert tags and all(f'nonce="{nonce.group(1)}"' in tag for tag in tags)
    assert (
        client.get("/consult").headers["content-security-policy"] != answer.headers["content-security-policy"]
    )


def test_data_cannot_bring_its_own_script_tag_past_the_nonce(client: Any) -> None:
    from mamori.web.templating import with_nonce

    escaped = "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script>ok()</script>"
    assert (
        with_nonce(escaped, "N")
        == '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script nonce="N">ok()</script>'
    )
    assert with_nonce('<script nonce="A">', "N") == '<script nonce="A">'


def test_the_evidence_reports_static_style_is_allowed_by_its_hash() -> None:
    """Pages built outside `render` (the standalone evidence report) keep their inline style."""
    import base64
    import hashlib
    from pathlib import Path

    import mamori.evidence

    report = Path(mamori.evidence.__file__).parent / "templates" / "evidence" / "report.html"
    style = re.search(r"<style>(.*?)</style>", report.read_text(encoding="utf-8"), re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in template_hashes()["style"]
    assert f"'sha256-{digest}'" in directives(content_security_policy())["style-src"]


def test_the_api_docs_keep_working_under_their_own_policy(client: Any) -> None:
    answer = client.get("/api/docs")
    assert answer.status_code == 200
    policy = directives(answer.headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in policy["script-src"] and policy["frame-ancestors"] == ["'none'"]
