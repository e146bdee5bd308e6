"""The administrators' report pages and downloads (route × role), and the public page of figures."""

from __future__ import annotations

from typing import Any

import jsonschema
from sqlalchemy.orm import Session, sessionmaker

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.transparency import render
from mamori.worker import tick
from tests.factories import make_staff
from tests.transparency.support import build_year

READERS = ("administrator", "auditor", "legal_officer")
PUBLISHERS = ("administrator", "legal_officer")
OTHERS = ("specialist", "reviewer", "counsellor", "supervisor", "trusted_notifier", "hotline_staff")


def headers_by_role(db: Session) -> dict[str, dict[str, str]]:
    out = {}
    for role in (*READERS, *OTHERS):
        _user, token = make_staff(db, [role], f"{role}@reports.example")
        out[role] = {"Authorization": f"Bearer {token}"}
    return out


def test_route_by_role_and_what_each_page_shows(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    build_year(db, settings, clock, session_factory)
    roles = headers_by_role(db)
    db.flush()
    pages = ("/reports", "/reports/2026")
    built = ("/reports/2026/download?format=json", "/api/v1/transparency/reports/2026")
    for path in (*pages, *built):
        assert client.get(path).status_code == 401, path
        for role in READERS:  # before any build the figures are refused (409), the pages say so
            assert client.get(path, headers=roles[role]).status_code == (200 if path in pages else 409)
        for role in OTHERS:
            assert client.get(path, headers=roles[role]).status_code == 403, (path, role)
    for path in ("/reports/2026/evaluation", "/reports/2026/publish"):
        for role in (*OTHERS, "auditor"):
            assert client.post(path, data={"text_ja": "評価"}, headers=roles[role]).status_code == 403, (
                path,
                role,
            )
    for role in OTHERS:
        assert client.post("/reports/2026/build", headers=roles[role]).status_code == 403, role
    first = client.get("/reports/2026?lang=en", headers=roles["auditor"])
    assert "have not been built yet" in first.text and "Build the figures" in first.text
    assert 'http-equiv="refresh"' not in first.text  # a visit starts nothing
    asked = client.post("/reports/2026/build?lang=en", headers=roles["auditor"], follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/reports/2026?lang=en"
    tick(session_factory, settings, clock, queues=["reports"])
    for path in built:
        for role in READERS:
            assert client.get(path, headers=roles[role]).status_code == 200, (path, role)

    page = client.get("/reports/2026?lang=en", headers=roles["auditor"])
    assert 'data-figure="requests.total">17<' in page.text and "Build the figures again" in page.text
    assert "Publish the report" not in page.text  # the auditor reads, and changes nothing
    japanese = client.get("/reports/2026?lang=ja", headers=roles["legal_officer"])
    assert "削除申出の受付件数" in japanese.text and "報告を公表する" in japanese.text

    saved = client.post(
        "/reports/2026/evaluation?lang=ja",
        data={"text_ja": "期間内通知率の改善が課題です。", "text_en": "Answering in time must improve."},
        headers=roles["legal_officer"],
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("done=evaluated")
    empty = client.post(
        "/reports/2026/evaluation?lang=en", data={"text_ja": " "}, headers=roles["legal_officer"]
    )
    assert empty.status_code == 422 and "Write the self-evaluation" in empty.text
    # the evaluation queued a build (the figures include it): publishing waits for it
    waiting = client.get("/reports/2026?lang=en", headers=roles["administrator"])
    assert 'http-equiv="refresh"' in waiting.text and "wait for a worker" in waiting.text
    refused = client.post("/reports/2026/publish?lang=en", headers=roles["administrator"])
    assert refused.status_code == 409 and "being built" in refused.text
    tick(session_factory, settings, clock, queues=["reports"])
    published = client.post("/reports/2026/publish", headers=roles["administrator"], follow_redirects=False)
    assert published.status_code == 303
    again = client.post("/reports/2026/publish?lang=en", headers=roles["administrator"])
    assert again.status_code == 409 and "nothing to correct" in again.text

    public = client.get("/transparency?lang=en")
    assert public.status_code == 200
    assert "Reporting year 2026" in public.text and "/transparency/2026/1.json" in public.text
    document = client.get("/transparency/2026/1.html?lang=ja").text
    assert "期間内通知率の改善が課題です。" in document and "記録の限界" in document


def test_downloads_in_every_format(
    db: Session, settings: Settings, clock: FixedClock, session_factory: sessionmaker[Session], client: Any
) -> None:
    build_year(db, settings, clock, session_factory)
    _user, token = make_staff(db, ["auditor"], "auditor@downloads.example")
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/transparency/reports/2026/builds", headers=auth).status_code == 202
    tick(session_factory, settings, clock, queues=["reports"])
    as_json = client.get("/reports/2026/download?format=json", headers=auth)
    assert as_json.headers["content-type"] == "application/json"
    jsonschema.validate(as_json.json(), render.schema())
    as_csv = client.get("/reports/2026/download?format=csv", headers=auth)
    assert as_csv.headers["content-disposition"] == 'attachment; filename="transparency-2026.csv"'
    rows = dict(line.split(",", 1) for line in as_csv.text.splitlines()[1:] if "," in line)
    assert rows["requests.total"] == "17" and rows["requests.by_right.名誉権"] == str(
        as_json.json()["requests"]["by_right"]["名誉権"]
    )
    as_html = client.get("/reports/2026/download?format=html&lang=en", headers=auth)
    assert "Transparency report under Article 28" in as_html.text and "<script" not in as_html.text
    as_pdf = client.get("/reports/2026/download?format=pdf&lang=ja", headers=auth)
    assert as_pdf.headers["content-type"] == "application/pdf" and as_pdf.content.startswith(b"%PDF")
    assert b"IPAexGothic" in as_pdf.content  # the Japanese font is embedded
    assert as_pdf.content.count(b"/Subtype /Image") >= 2  # the two charts
    assert client.get("/reports/2026/download?format=exe", headers=auth).status_code == 404
    assert client.get("/reports/1999", headers=auth).status_code == 422


def test_the_public_page_before_anything_is_published(client: Any) -> None:
    for lang, text in (
        ("ja", "公表された報告はまだありません。"),
        ("en", "No report has been published yet."),
    ):
        page = client.get(f"/transparency?lang={lang}")
        assert page.status_code == 200 and text in page.text
    schema = client.get("/transparency/schema.json")
    assert schema.headers["content-type"] == "application/schema+json"
    jsonschema.Draft202012Validator.check_schema(schema.json())
    assert client.get("/transparency/2026/1.json").status_code == 404
