"""The PDF renders Japanese: a page turned into PNG (pdftoppm) has ink, and the title area is not empty."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from mamori.core.clock import JST
from mamori.drafting import pdf
from mamori.drafting.document import deletion_document
from mamori.drafting.reading import read_deletion, read_disclosure
from mamori.drafting.service import OutputFormat, produce
from tests.conftest import loud_skip
from tests.drafting.factories import deletion_data, disclosure_data

AT = dt.datetime(2026, 4, 1, 10, 0, tzinfo=JST)


def first_page_png(content: bytes, tmp_path: Path) -> Image.Image:
    if not shutil.which("pdftoppm"):
        loud_skip("PDF rendering tests: no pdftoppm (apt-get install poppler-utils)")
    source = tmp_path / "draft.pdf"
    source.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(source), str(tmp_path / "page")],
        check=True,
    )
    return Image.open(next(tmp_path.glob("page*.png"))).convert("L")


def dark_share(image: Image.Image, box: tuple[float, float, float, float]) -> float:
    w, h = image.size
    crop = image.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    pixels = list(crop.getdata())
    return sum(1 for p in pixels if p < 128) / len(pixels)


@pytest.mark.parametrize("kind", ["deletion", "disclosure"])
def test_pdf_page_has_ink_and_a_title(kind: str, tmp_path: Path) -> None:
    draft = read_deletion(deletion_data()) if kind == "deletion" else read_disclosure(disclosure_data())
    out = produce(draft, OutputFormat.PDF, at=AT)
    assert out.content.startswith(b"%PDF-") and out.media_type == "application/pdf"
    assert b"IPAexGothic" in out.content  # the Japanese font is embedded
    page = first_page_png(out.content, tmp_path)
    assert dark_share(page, (0, 0, 1, 1)) > 0.01  # not blank
    assert dark_share(page, (0.15, 0.22, 0.85, 0.30)) > 0.005  # the title line has ink


def test_pdf_title_is_real_japanese_text(tmp_path: Path) -> None:
    if not shutil.which("pdftotext"):
        loud_skip("PDF text tests: no pdftotext (apt-get install poppler-utils)")
    source = tmp_path / "d.pdf"
    source.write_bytes(produce(read_deletion(deletion_data()), OutputFormat.PDF, at=AT).content)
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True, check=True).stdout
    assert "侵害情報の通知書" in text and "送信防止措置に関する照会書" in text
    assert "証拠一覧" in text  # the evidence annex with every SHA-256


def test_missing_font_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf.shutil, "which", lambda _name: None)
    with pytest.raises(pdf.FontMissing) as caught:
        pdf.find_font((str(tmp_path / "nowhere.ttf"),))
    assert "fonts-ipaexfont" in caught.value.en and "fonts-ipaexfont" in caught.value.ja
    doc = deletion_document(read_deletion(deletion_data()), AT.date())
    with pytest.raises(pdf.FontMissing):
        pdf.find_font(())
    assert doc.title
