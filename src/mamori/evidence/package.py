"""A capture package on disk, and its offline verification.

capture.wacz            every HTTP response as it arrived + rendered page + screenshots
page.html               the page as rendered
screenshot.png          full-page screenshot, untouched
screenshot-banded.png   the same with URL and capture time (JST) in a band, for printing
metadata.json           URLs, status, server IP, TLS certificate, times, versions, profile,
                            and the SHA-256 of each file
signature.json          Ed25519 signature over metadata.json
timestamp.tsr           RFC 3161 time-stamp over metadata.json (when a TSA is configured)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import platform
import shutil
from importlib import metadata as dist
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from mamori import __version__
from mamori.core.clock import format_jst
from mamori.evidence import signing, timestamp, warc
from mamori.evidence.band import band_lines, with_band
from mamori.evidence.capture import CaptureResult
from mamori.evidence.model import PROFILE_FIELD_LABELS, EvidenceProfile
from mamori.evidence.profile import build_profile
from mamori.evidence.settings import EvidenceSettings

FORMAT = "mamori-evidence-capture/1"
WACZ = "capture.wacz"
METADATA = "metadata.json"
SIGNATURE = "signature.json"
TIMESTAMP = "timestamp.tsr"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _version(name: str) -> str:
    try:
        return dist.version(name)
    except dist.PackageNotFoundError:
        return "unknown"


def _certificate(der: bytes | None) -> dict[str, str] | None:
    if not der:
        return None
    cert = x509.load_der_x509_certificate(der)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": hashlib.sha256(der).hexdigest(),
        "pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }


def profile_json(profile: EvidenceProfile) -> dict[str, Any]:
    return {
        "url": profile.url,
        "captured_at": profile.captured_at.isoformat(),
        "posted_at": profile.posted_at,
        "poster_name": profile.poster_name,
        "poster_id": profile.poster_id,
        "permalink": profile.permalink,
        "permalink_captured": profile.permalink_captured,
        "still_needed": [
            {"field": f, "ja": PROFILE_FIELD_LABELS[f][0], "en": PROFILE_FIELD_LABELS[f][1]}
            for f in profile.still_needed
        ],
    }


def write_package(
    out_dir: Path, result: CaptureResult, *, item_id: str, settings: EvidenceSettings
) -> tuple[dict[str, Any], EvidenceProfile]:
    """Write every file of the capture into `out_dir`, sign it and (if configured) time-stamp it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    at = result.started_at
    shot_sha = hashlib.sha256(result.screenshot_png).hexdigest()
    banded = with_band(
        result.screenshot_png,
        band_lines(
            url=result.url,
            final_url=result.final_url,
            captured_at=at,
            item_id=item_id,
            screenshot_sha256=shot_sha,
        ),
    )
    html_bytes = result.html.encode("utf-8")
    (out_dir / "page.html").write_bytes(html_bytes)
    (out_dir / "screenshot.png").write_bytes(result.screenshot_png)
    (out_dir / "screenshot-banded.png").write_bytes(banded)
    software = {
        "mamori": __version__,
        "chromium": result.browser_version,
        "playwright": _version("playwright"),
        "warcio": _version("warcio"),
        "wacz": _version("wacz"),
        "python": platform.python_version(),
    }
    base = f"urn:mamori:evidence:{item_id}"
    warc_path = out_dir / "capture.warc.gz"
    warc.write_warc(
        warc_path,
        result.exchanges,
        [
            warc.Resource(f"{base}/page.html", "text/html; charset=utf-8", html_bytes),
            warc.Resource(f"{base}/screenshot.png", "image/png", result.screenshot_png),
            warc.Resource(f"{base}/screenshot-banded.png", "image/png", banded),
        ],
        info={"software": f"mamori {__version__} (Chromium {result.browser_version})", "format": "WARC 1.1"},
        at=at,
    )
    warc.write_wacz(
        out_dir / WACZ, warc_path, page_url=result.final_url, title=result.title, at=at, work_dir=out_dir
    )
    warc_path.unlink()
    profile = build_profile(result.facts, url=result.url, final_url=result.final_url, captured_at=at)
    main = result.main_exchange
    files = {
        name: {
            "sha256": sha256_file(out_dir / name),
            "size": (out_dir / name).stat().st_size,
            "media_type": media,
        }
        for name, media in (
            (WACZ, "application/wacz+zip"),
            ("page.html", "text/html"),
            ("screenshot.png", "image/png"),
            ("screenshot-banded.png", "image/png"),
        )
    }
    meta: dict[str, Any] = {
        "format": FORMAT,
        "item_id": item_id,
        "requested_url": result.url,
        "final_url": result.final_url,
        "http_status": result.http_status,
        "title": result.title,
        "server_ip": main.server_ip if main else None,
        "tls_certificate": _certificate(main.tls_certificate_der if main else None),
        "captured_at_utc": at.astimezone(dt.UTC).isoformat(),
        "captured_at_jst": format_jst(at, "ja"),
        "finished_at_utc": result.finished_at.astimezone(dt.UTC).isoformat(),
        "software": software,
        "login_profile_used": result.used_login_profile,
        "requests": len(result.exchanges),
        "refused": result.refused,
        "notes": result.notes,
        "profile": profile_json(profile),
        "files": files,
    }
    meta_bytes = json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    (out_dir / METADATA).write_bytes(meta_bytes)
    seal(out_dir, settings)
    return meta, profile


def seal(out_dir: Path, settings: EvidenceSettings) -> None:
    """Sign metadata.json and, when a TSA is configured, time-stamp it."""
    meta_bytes = (out_dir / METADATA).read_bytes()
    key = signing.load_or_create_key(settings.signing_key_path)
    record = signing.sign(meta_bytes, key, signed_file=METADATA)
    (out_dir / SIGNATURE).write_text(json.dumps(record, indent=2), encoding="utf-8")
    if settings.tsa_url:
        (out_dir / TIMESTAMP).write_bytes(timestamp.request_timestamp(meta_bytes, settings.tsa_url))


def verify_package(
    folder: Path, *, tsa_ca: Path | None = None, trusted_key_ids: set[str] | None = None
) -> list[str]:
    """Every way the package differs from what was sealed; empty when it is intact."""
    problems: list[str] = []
    meta_path = folder / METADATA
    if not meta_path.is_file():
        return [f"{METADATA} is missing"]
    meta_bytes = meta_path.read_bytes()
    try:
        meta = json.loads(meta_bytes)
    except ValueError:
        return [f"{METADATA} is not valid JSON (altered)"]
    sig_path = folder / SIGNATURE
    if not sig_path.is_file():
        problems.append(f"{SIGNATURE} is missing: the package is not signed")
    else:
        why = signing.verify(meta_bytes, json.loads(sig_path.read_text()), trusted_key_ids=trusted_key_ids)
        if why:
            problems.append(f"{METADATA}: {why}")
    for name, expected in sorted(meta.get("files", {}).items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif (actual := sha256_file(path)) != expected["sha256"]:
            problems.append(f"{name}: SHA-256 {actual} does not match the recorded {expected['sha256']}")
        elif name.endswith(".wacz"):
            valid, output = warc.validate_wacz(path)
            if not valid:
                problems.append(f"{name}: wacz validate failed: {output.strip()[-300:]}")
    tsr = folder / TIMESTAMP
    if tsr.is_file():
        try:
            stamp = timestamp.read(tsr.read_bytes())
            if stamp.digest_sha256 != hashlib.sha256(meta_bytes).hexdigest():
                problems.append(f"{TIMESTAMP}: the time-stamp is over other data than {METADATA}")
            elif tsa_ca is not None and (why := timestamp.verify_with_openssl(tsr, meta_path, tsa_ca)):
                problems.append(f"{TIMESTAMP}: {why}")
        except timestamp.TimeStampFailed as exc:
            problems.append(f"{TIMESTAMP}: {exc.en}")
    return problems


def copy_package(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, dirs_exist_ok=True)
