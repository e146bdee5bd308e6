"""In a real Chromium, without JavaScript: a specialist signs in, has the server capture a page served on
loopback for a case, sees the item with its hash and the banded screenshot, downloads the evidence
report, and drafts a deletion request from the case with that evidence listed; a counsellor is refused
the case's evidence (a case is the platform staff's business)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

from mamori.core.audit import Actor
from mamori.core.auth import create_user
from mamori.core.clock import JST, FixedClock
from mamori.core.config import Settings
from mamori.core.db import make_engine, make_sessionmaker, transaction
from mamori.requests import service as requests
from mamori.requests.store import ServiceRow
from mamori.web.app import create_app
from mamori.worker import run_in_background
from tests.conftest import CHROMIUM, LiveServer
from tests.evidence.site import Site

PASSWORD = "a long enough password"
AT = dt.datetime(2026, 4, 1, 22, 30, tzinfo=JST)


def seed(database_url: str, settings: Settings) -> str:
    """A service, a removal request (the case), a counsellor and a specialist; returns the case id."""
    with transaction(make_sessionmaker(make_engine(database_url))) as db:
        db.add(ServiceRow(slug="board", name_ja="掲示板", name_en="Board", created_at=AT))
        db.flush()
        for email, role in (("counsellor@ev.test", "counsellor"), ("specialist@ev.test", "specialist")):
            create_user(email, f"{role} 担当", [role], PASSWORD, db=db, at=AT, by=Actor.system())
        form = requests.RequestForm(
            service="board",
            content_url="https://board.example/status/12345",
            content_text="山田太郎は詐欺師だ",
            rights=["名誉権"],
            reason="事実ではなく、仕事に差し支えています。",
            requester=requests.Requester("山田太郎", "東京都港区1-1-1", "taro@example.jp", "03-0000-1111"),
            show_name_to_poster=False,
            declaration_true=True,
        )
        return requests.file_request(form, db=db, settings=settings, at=AT, by=Actor.system()).case_id


def sign_in(page: Any, base: str, email: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def test_a_counsellor_captures_a_page_and_a_specialist_drafts_from_the_case(
    browser: Any, fresh_database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=fresh_database_url,
        env="test",
        data_dir=tmp_path / "data",
        allow_private_fetch=True,  # the test-only switch: the page is served on loopback
        chromium=Path(CHROMIUM),
        evidence_capture_timeout_s=20,
    )
    case_id = seed(fresh_database_url, settings)
    app = create_app(
        settings, clock=FixedClock(AT), session_factory=make_sessionmaker(make_engine(fresh_database_url))
    )
    jobs = run_in_background(app)  # the capture runs in the worker (procrastinate on PostgreSQL)
    try:
        with Site() as site, LiveServer(app) as server:
            base = server.url
            staff = browser.new_context(java_script_enabled=False, accept_downloads=True, locale="ja-JP")
            page = staff.new_page()
            page.set_default_timeout(30_000)
            sign_in(page, base, "specialist@ev.test", f"/evidence%3Fowner_type%3Dcase%26owner_id%3D{case_id}")
            page.wait_for_url(f"{base}/evidence?owner_type=case&owner_id={case_id}")
            assert "まだ証拠は保存されていません" in page.inner_text("main")

            page.fill("#url", f"{site.base}/post")
            page.fill("#capture_reason", "申出者の求めにより保全")
            page.click("form[action^='/evidence/captures'] button[type=submit]")
            # the form answers at once with the capture's page, which reloads itself until the item is there
            page.wait_for_url(f"{base}/evidence/captures/**")
            page.wait_for_url(f"{base}/evidence/items/**", timeout=60_000)
            main = page.inner_text("main")
            assert "サーバーでの取得" in main and "山田太郎" in main and "@yamada_taro" in main
            sha = page.inner_text("table tr:has(th:text('SHA-256')) code")
            item_id = page.url.split("/evidence/items/")[1].split("?")[0]
            assert len(sha) == 64 and int(sha, 16) >= 0
            thumb_src = page.get_attribute("figure img", "src")
            assert thumb_src is not None
            thumb = page.request.get(base + thumb_src)
            assert thumb.ok and thumb.body().startswith(b"\x89PNG")
            shot = tmp_path / "capture-result.png"
            page.screenshot(path=str(shot), full_page=True)
            if os.environ.get("MAMORI_KEEP_SCREENSHOTS"):
                shutil.copy(shot, Path(os.environ["MAMORI_KEEP_SCREENSHOTS"]) / "evidence-capture-result.png")

            with page.expect_download() as banded:
                page.click("a[href$='/files/screenshot-banded.png']")
            assert Path(banded.value.path()).read_bytes().startswith(b"\x89PNG")
            with page.expect_download() as report:
                page.click("text=証拠保全報告書（PDF）")
            assert Path(report.value.path()).read_bytes().startswith(b"%PDF")

            page.goto(f"{base}/evidence/ledger")
            assert "台帳は改ざんされていません" in page.inner_text("#ledger-result")

            specialist = page
            specialist.goto(f"{base}/drafting/deletion?case={case_id}")
            assert specialist.input_value("#content_url") == "https://board.example/status/12345"
            assert specialist.input_value("#requester\\.name") == "山田太郎"
            assert sha in specialist.input_value("#evidence")
            specialist.check("input[name=declaration_true]")
            with specialist.expect_download() as drafted:
                specialist.click("button[name=format][value=pdf]")
            assert Path(drafted.value.path()).read_bytes().startswith(b"%PDF")
            with specialist.expect_download() as as_text:
                specialist.click("button[name=format][value=text]")
            text = Path(as_text.value.path()).read_text(encoding="utf-8")
            assert "侵害情報の通知書" in text and sha in text

            counsellor = browser.new_context(java_script_enabled=False, locale="ja-JP").new_page()
            counsellor.set_default_timeout(15_000)
            sign_in(
                counsellor,
                base,
                "counsellor@ev.test",
                f"/evidence%3Fowner_type%3Dcase%26owner_id%3D{case_id}",
            )
            counsellor.wait_for_url(f"{base}/evidence?owner_type=case&owner_id={case_id}")
            refused = counsellor.inner_text("main")
            assert "プラットフォームの担当者だけ" in refused and sha[:16] not in refused
            answer = counsellor.request.get(f"{base}/evidence/items/{item_id}/files/screenshot-banded.png")
            assert answer.status == 403
    finally:
        jobs.set()
        app.state.worker_thread.join(timeout=40)
