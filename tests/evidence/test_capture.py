"""Server-side capture of loopback pages: WACZ valid, every file hashed and signed, limits enforced."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from mamori.core.clock import SystemClock
from mamori.evidence import package, warc
from mamori.evidence.capture import capture_page
from mamori.evidence.fetcher import FetchLimit
from mamori.evidence.netguard import AddressRefused
from mamori.evidence.settings import EvidenceSettings
from tests.evidence.site import Site

pytestmark = pytest.mark.browser


def capture_to(folder: Path, url: str, settings: EvidenceSettings) -> dict[str, object]:
    result = capture_page(url, settings=settings, clock=SystemClock())
    meta, _profile = package.write_package(folder, result, item_id="test-item", settings=settings)
    return meta


def warc_urls(wacz: Path) -> list[str]:
    import zipfile

    from warcio.archiveiterator import ArchiveIterator

    with zipfile.ZipFile(wacz) as zf:
        name = next(n for n in zf.namelist() if n.startswith("archive/"))
        data = zf.read(name)
    return [
        f"{r.rec_type} {r.rec_headers.get_header('WARC-Target-URI')}"
        for r in ArchiveIterator(io.BytesIO(data))
        if r.rec_type in ("response", "resource")
    ]


def test_a_capture_through_a_redirect_keeps_every_response(
    site: Site, ev_settings: EvidenceSettings, tmp_path: Path
) -> None:
    out = tmp_path / "pkg"
    meta = capture_to(out, f"{site.base}/go", ev_settings)
    assert meta["final_url"] == f"{site.base}/status/12345"
    assert meta["http_status"] == 200 and meta["server_ip"] == "127.0.0.1"
    urls = warc_urls(out / "capture.wacz")
    assert f"response {site.base}/go" in urls  # the 302 itself
    assert f"response {site.base}/status/12345" in urls
    assert f"response {site.base}/red.png" in urls
    assert any(u.startswith("resource urn:mamori:evidence:test-item/screenshot.png") for u in urls)
    valid, output = warc.validate_wacz(out / "capture.wacz")
    assert valid, output
    assert package.verify_package(out) == []
    profile = meta["profile"]
    assert isinstance(profile, dict)
    assert profile["posted_at"] == "2026-03-01T10:00:00+09:00"
    assert profile["poster_name"] == "山田太郎" and profile["poster_id"] == "@yamada_taro"
    assert profile["permalink_captured"] is True and profile["still_needed"] == []
    # the banded copy: same screenshot below a band with dark text on a light background
    shot = Image.open(out / "screenshot.png")
    banded = Image.open(out / "screenshot-banded.png").convert("L")
    band_height = banded.height - shot.height
    assert band_height > 60
    band = banded.crop((0, 0, banded.width, band_height - 3))
    dark = sum(1 for px in band.getdata() if px < 100)  # type: ignore[operator]
    assert dark > 2000, "the band must carry legible text"


def test_changing_one_byte_of_a_capture_is_named_by_verify(
    site: Site, ev_settings: EvidenceSettings, tmp_path: Path
) -> None:
    out = tmp_path / "pkg"
    capture_to(out, f"{site.base}/post", ev_settings)
    shot = out / "screenshot.png"
    data = bytearray(shot.read_bytes())
    data[100] ^= 0x01
    shot.write_bytes(bytes(data))
    problems = package.verify_package(out)
    assert len(problems) == 1 and problems[0].startswith("screenshot.png: SHA-256")
    result = CliRunner().invoke(_cli(), ["verify", str(out)])
    assert result.exit_code == 1 and "screenshot.png" in result.output


def test_editing_the_metadata_breaks_the_signature(
    site: Site, ev_settings: EvidenceSettings, tmp_path: Path
) -> None:
    out = tmp_path / "pkg"
    capture_to(out, f"{site.base}/post", ev_settings)
    meta = json.loads((out / "metadata.json").read_text())
    meta["final_url"] = "https://elsewhere.example/"
    (out / "metadata.json").write_text(json.dumps(meta))
    assert any("signature" in p for p in package.verify_package(out))


def test_a_redirect_to_the_metadata_address_is_refused(site: Site, ev_settings: EvidenceSettings) -> None:
    with pytest.raises(AddressRefused, match="metadata"):
        capture_page(f"{site.base}/to-metadata", settings=ev_settings, clock=SystemClock())


def test_a_redirect_to_another_scheme_is_refused(site: Site, ev_settings: EvidenceSettings) -> None:
    with pytest.raises(AddressRefused, match="scheme"):
        capture_page(f"{site.base}/to-file", settings=ev_settings, clock=SystemClock())


def test_a_sub_request_to_the_metadata_address_is_refused_and_listed(
    site: Site, ev_settings: EvidenceSettings
) -> None:
    result = capture_page(f"{site.base}/image-from-metadata", settings=ev_settings, clock=SystemClock())
    assert [r["url"] for r in result.refused] == ["http://169.254.169.254/x.png"]
    assert all("169.254" not in e.url for e in result.exchanges)


def test_loopback_is_refused_when_private_fetch_is_off(site: Site, ev_settings: EvidenceSettings) -> None:
    with pytest.raises(AddressRefused, match="loopback"):
        capture_page(
            f"{site.base}/post", settings=ev_settings.with_(allow_private_fetch=False), clock=SystemClock()
        )


def test_a_slow_page_stops_at_the_time_limit(site: Site, ev_settings: EvidenceSettings) -> None:
    with pytest.raises(FetchLimit):
        capture_page(
            f"{site.base}/slow", settings=ev_settings.with_(capture_timeout_s=1.5), clock=SystemClock()
        )


def test_an_oversized_page_is_refused(site: Site, ev_settings: EvidenceSettings) -> None:
    with pytest.raises(FetchLimit, match="larger than"):
        capture_page(
            f"{site.base}/big",
            settings=ev_settings.with_(max_response_bytes=1024 * 1024),
            clock=SystemClock(),
        )


def test_the_number_of_requests_is_bounded(site: Site, ev_settings: EvidenceSettings) -> None:
    result = capture_page(
        f"{site.base}/many", settings=ev_settings.with_(max_requests=5), clock=SystemClock()
    )
    assert len(result.exchanges) == 5
    assert result.refused and all("more than 5 requests" in r["reason"] for r in result.refused)


def _cli():  # type: ignore[no-untyped-def]
    from mamori.evidence.cli import app

    return app


def test_cli_capture_then_verify(
    site: Site, ev_settings: EvidenceSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAMORI_ALLOW_PRIVATE_FETCH", "true")
    monkeypatch.setenv("MAMORI_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "cli-pkg"
    result = CliRunner().invoke(_cli(), ["capture", f"{site.base}/post", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "capture.wacz" in result.output
    ok = CliRunner().invoke(_cli(), ["verify", str(out)])
    assert ok.exit_code == 0 and "intact" in ok.output
    assert CliRunner().invoke(_cli(), ["verify", str(out / "capture.wacz")]).exit_code == 0


def test_cli_capture_refuses_loopback_by_default(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAMORI_ALLOW_PRIVATE_FETCH", raising=False)
    monkeypatch.setenv("MAMORI_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(_cli(), ["capture", f"{site.base}/post", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "loopback" in result.output
    assert not (tmp_path / "x").exists()
