"""The evidence report renders Japanese in PDF (checked through pdftoppm) and in HTML."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from mamori.core.clock import FixedClock
from mamori.core.config import Settings
from mamori.evidence import report, service
from mamori.evidence.settings import EvidenceSettings
from tests.conftest import loud_skip
from tests.evidence.factories import a_case, person


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (30, 90, 200)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def evidence_report(db: Session, tmp_path: Path, clock: FixedClock, settings: Settings) -> report.Report:
    limits = EvidenceSettings(root=tmp_path / "evidence", secret_key="s" * 32)
    specialist = person(db, "specialist", clock.now()).principal
    case_id = a_case(db, settings, clock.now())
    service.upload(
        "case",
        case_id,
        "投稿のスクリーンショット.png",
        png_bytes(),
        by=specialist,
        reason="相談者が保存",
        db=db,
        settings=limits,
        clock=clock,
    )
    return service.report_for("case", case_id, by=specialist, db=db, settings=limits, clock=clock)


def ink(img: Image.Image) -> int:
    return sum(1 for px in img.convert("L").getdata() if px < 128)  # type: ignore[operator]


def test_the_pdf_report_renders_japanese(evidence_report: report.Report, tmp_path: Path) -> None:
    if not shutil.which("pdftoppm"):
        loud_skip("PDF rendering check: no pdftoppm (apt-get install poppler-utils)")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report.render_pdf(evidence_report))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    page = Image.open(next(tmp_path.glob("page*.png")))
    title_area = page.crop((0, 0, page.width, int(page.height * 0.08)))
    lower_margin = page.crop((0, int(page.height * 0.95), page.width, page.height))
    assert ink(title_area) > 150, "the title 証拠保全報告書 must be drawn, not blank"
    assert ink(lower_margin) == 0
    assert evidence_report.ledger_intact and len(evidence_report.items) == 1


def test_the_pdf_embeds_the_japanese_font(evidence_report: report.Report) -> None:
    pdf = report.render_pdf(evidence_report)
    assert b"IPAexGothic" in pdf


def test_the_html_report_lists_hash_and_time(evidence_report: report.Report) -> None:
    html = report.render_html(evidence_report)
    item = evidence_report.items[0].item
    assert "証拠保全報告書" in html and item.sha256 in html
    assert "2026年4月1日 10:00:00 (日本時間)" in html
    assert "data:image/png;base64," in html
