"""The drafting API and pages: public drafts (nothing stored), staff-only sending, CSRF on every form."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mamori.drafting.store import SubmissionRow
from tests.drafting.factories import deletion_data, disclosure_data


def test_api_checks_then_produces(client: Any) -> None:
    ok = client.post("/api/v1/drafting/disclosure-requests", json=disclosure_data())
    assert ok.status_code == 200 and ok.json() == {"ok": True, "kind": "disclosure"}
    pdf = client.post("/api/v1/drafting/deletion-requests?format=pdf", json=deletion_data())
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "deletion-request-20260401.pdf" in pdf.headers["content-disposition"]
    text = client.post("/api/v1/drafting/deletion-requests?format=text", json=deletion_data())
    assert text.text.startswith("侵害情報の通知書")


def test_api_names_each_field_in_both_languages(client: Any) -> None:
    answer = client.post("/api/v1/drafting/disclosure-requests", json=disclosure_data(purposes=[], items=[]))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "draft_invalid"
    fields = {d["field"]: d["message"] for d in body["detail"]}
    assert set(fields) == {"purposes", "items"}
    assert fields["purposes"]["ja"] and fields["purposes"]["en"]


def test_sending_needs_a_signed_in_person(client: Any, db: Session) -> None:
    answer = client.post(
        "/api/v1/drafting/submissions",
        json={"base_url": "http://127.0.0.1:9", "service": "board", "draft": deletion_data()},
    )
    assert answer.status_code == 401
    assert db.scalar(select(func.count()).select_from(SubmissionRow)) == 0


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def form_fields(**extra: Any) -> dict[str, Any]:
    data = deletion_data()
    return {
        "addressee": data["addressee"],
        "requester.name": data["requester"]["name"],
        "requester.address": data["requester"]["address"],
        "requester.email": data["requester"]["email"],
        "content_url": data["content_url"],
        "content_text": data["content_text"],
        "rights": ["honour", "privacy"],
        "reason": data["reason"],
        "show_name_to_poster": "no",
        "declaration_true": "yes",
        "evidence": f"{data['evidence'][0]['sha256']} 投稿の画面 https://sns.example.jp/posts/12345",
        **extra,
    }


def test_form_page_produces_the_pdf_download(client: Any) -> None:
    page = client.get("/drafting/deletion")
    assert page.status_code == 200 and "csrf_token" in page.text
    answer = client.post("/drafting/deletion", data=form_fields(csrf_token=csrf(page.text), format="pdf"))
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"] == "application/pdf"
    text = client.post("/drafting/deletion", data=form_fields(csrf_token=csrf(page.text), format="text"))
    assert "SHA-256: " in text.text and "https://sns.example.jp/posts/12345" in text.text


def test_form_without_csrf_token_is_refused(client: Any) -> None:
    client.get("/drafting/deletion")
    assert client.post("/drafting/deletion", data=form_fields(format="pdf")).status_code == 403


def test_form_shows_problems_next_to_fields_and_keeps_values(client: Any) -> None:
    page = client.get("/drafting/disclosure?lang=en")
    answer = client.post(
        "/drafting/disclosure",
        data={"csrf_token": csrf(page.text), "addressee": "Sample SNS", "format": "pdf"},
    )
    assert answer.status_code == 422
    assert 'id="clear_reason-error"' in answer.text
    assert "Choose what must not be shown to the poster" in answer.text
    assert 'value="Sample SNS"' in answer.text
    assert all('name="csrf_token" value="' in form for form in answer.text.split("<form")[1:])


def test_index_links_both_forms(client: Any) -> None:
    page = client.get("/drafting")
    assert 'href="/drafting/deletion"' in page.text and 'href="/drafting/disclosure"' in page.text


def test_pages_speak_japanese_by_default_and_english_on_request(client: Any) -> None:
    assert "投稿の URL" in client.get("/drafting/deletion?lang=ja").text
    assert "URL of the post" in client.get("/drafting/deletion?lang=en").text


def test_a_person_describes_evidence_in_words_and_chosen_files_are_fingerprinted(client: Any) -> None:
    """Issue 11: the drafting form no longer asks a harmed person for SHA-256 values. Evidence is
    written in plain words; files chosen on the form are only hashed, by the server, into the letter."""
    import hashlib

    page = client.get("/drafting/deletion")
    assert 'enctype="multipart/form-data"' in page.text and 'id="evidence_files"' in page.text
    shot = b"\x89PNG\r\n\x1a\n" + b"screenshot bytes" * 100
    fields = form_fields(
        csrf_token=csrf(page.text),
        format="text",
        evidence="4月1日に撮った投稿のスクリーンショット https://sns.example.jp/posts/12345\n相手からのDMの画面",
    )
    answer = client.post(
        "/drafting/deletion", data=fields, files=[("evidence_files", ("post.png", shot, "image/png"))]
    )
    assert answer.status_code == 200, answer.text[:800]
    letter = answer.text
    assert f"SHA-256: {hashlib.sha256(shot).hexdigest()}" in letter and "post.png" in letter
    assert "4月1日に撮った投稿のスクリーンショット" in letter and "相手からのDMの画面" in letter
    assert letter.count("SHA-256: ") == 1  # only the chosen file has a fingerprint
    assert "https://sns.example.jp/posts/12345" in letter
