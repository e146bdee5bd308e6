"""RFC 3161 time-stamps from a local authority made with `openssl ts`."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from mamori.evidence import package, timestamp
from mamori.evidence.settings import EvidenceSettings
from tests.evidence.tsa import LocalTSA


def sealed_folder(tmp_path: Path, tsa: LocalTSA) -> Path:
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "screenshot.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    files = {"screenshot.png": {"sha256": package.sha256_file(folder / "screenshot.png"), "size": 12}}
    (folder / "metadata.json").write_text(json.dumps({"format": package.FORMAT, "files": files}))
    settings = EvidenceSettings(root=tmp_path / "root", tsa_url=tsa.url)
    package.seal(folder, settings)
    return folder


def test_a_sealed_package_carries_a_time_stamp_over_its_metadata(tmp_path: Path, tsa: LocalTSA) -> None:
    folder = sealed_folder(tmp_path, tsa)
    stamp = timestamp.read((folder / "timestamp.tsr").read_bytes())
    assert stamp.digest_sha256 == hashlib.sha256((folder / "metadata.json").read_bytes()).hexdigest()
    assert package.verify_package(folder, tsa_ca=tsa.ca_file) == []


def test_the_time_stamp_no_longer_matches_altered_metadata(tmp_path: Path, tsa: LocalTSA) -> None:
    folder = sealed_folder(tmp_path, tsa)
    sig = folder / "signature.json"
    signature = sig.read_text()
    (folder / "metadata.json").write_text((folder / "metadata.json").read_text() + " ")
    sig.write_text(signature)
    problems = package.verify_package(folder)
    assert any(p.startswith("timestamp.tsr: the time-stamp is over other data") for p in problems)


def test_a_time_stamp_from_another_authority_fails_the_full_check(tmp_path: Path, tsa: LocalTSA) -> None:
    folder = sealed_folder(tmp_path, tsa)
    with LocalTSA() as other:
        problems = package.verify_package(folder, tsa_ca=other.ca_file)
    assert problems and problems[0].startswith("timestamp.tsr:")
