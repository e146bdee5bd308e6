"""The evidence capability's settings, read in one place.

MAMORI_ALLOW_PRIVATE_FETCH and MAMORI_DATA_DIR come from `mamori.core.config.Settings`; the others
are read from MAMORI_EVIDENCE_* variables with defaults until core Settings carries them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from mamori.core.config import Settings


@dataclass(frozen=True)
class EvidenceSettings:
    root: Path  # <data_dir>/evidence: packages, uploads and the signing key
    allow_private_fetch: bool = False  # TESTS ONLY
    chromium: Path = Path("/usr/bin/chromium")
    capture_timeout_s: float = 30.0  # the whole capture, page load and every request
    max_requests: int = 200  # HTTP requests per capture
    max_response_bytes: int = 25 * 1024 * 1024  # one response
    max_capture_bytes: int = 100 * 1024 * 1024  # all responses of one capture
    max_upload_bytes: int = 200 * 1024 * 1024
    login_profile_dir: Path | None = None  # the centre's own browser profile, for pages behind a login
    signing_key: Path | None = None  # Ed25519 PEM; default <root>/signing/ed25519.pem, made on first use
    tsa_url: str | None = None  # RFC 3161 time-stamp authority; none = no time-stamp

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key or self.root / "signing" / "ed25519.pem"

    def with_(self, **changes: object) -> EvidenceSettings:
        return replace(self, **changes)  # type: ignore[arg-type]


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def evidence_settings(settings: Settings) -> EvidenceSettings:
    """Build from core Settings plus MAMORI_EVIDENCE_* variables (defaults above)."""
    env = os.environ
    return EvidenceSettings(
        root=Path(settings.data_dir) / "evidence",
        allow_private_fetch=settings.allow_private_fetch,
        chromium=Path(env.get("MAMORI_CHROMIUM", "/usr/bin/chromium")),
        capture_timeout_s=float(env.get("MAMORI_EVIDENCE_CAPTURE_TIMEOUT_S", "30")),
        max_requests=int(env.get("MAMORI_EVIDENCE_MAX_REQUESTS", "200")),
        max_response_bytes=int(env.get("MAMORI_EVIDENCE_MAX_RESPONSE_BYTES", str(25 * 1024 * 1024))),
        max_capture_bytes=int(env.get("MAMORI_EVIDENCE_MAX_CAPTURE_BYTES", str(100 * 1024 * 1024))),
        max_upload_bytes=int(env.get("MAMORI_EVIDENCE_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024))),
        login_profile_dir=_env_path("MAMORI_EVIDENCE_LOGIN_PROFILE_DIR"),
        signing_key=_env_path("MAMORI_EVIDENCE_SIGNING_KEY"),
        tsa_url=env.get("MAMORI_EVIDENCE_TSA_URL") or None,
    )
