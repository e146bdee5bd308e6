"""The evidence capability's settings, read in one place.

All of them come from `mamori.core.config.Settings` (MAMORI_EVIDENCE_*, MAMORI_CHROMIUM,
MAMORI_ALLOW_PRIVATE_FETCH, MAMORI_DATA_DIR, and MAMORI_SECRET_KEY, from which the key that seals
stored files is derived), documented in docs/settings.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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
    # MAMORI_SECRET_KEY: stored files are sealed with a key derived from it (never shown in a repr)
    secret_key: str = field(default="", repr=False)

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key or self.root / "signing" / "ed25519.pem"

    def with_(self, **changes: object) -> EvidenceSettings:
        return replace(self, **changes)  # type: ignore[arg-type]


def evidence_settings(settings: Settings) -> EvidenceSettings:
    """The evidence capability's view of the core settings (MAMORI_EVIDENCE_*, MAMORI_CHROMIUM)."""
    return EvidenceSettings(
        root=Path(settings.data_dir) / "evidence",
        allow_private_fetch=settings.allow_private_fetch,
        chromium=settings.chromium,
        capture_timeout_s=settings.evidence_capture_timeout_s,
        max_requests=settings.evidence_max_requests,
        max_response_bytes=settings.evidence_max_response_bytes,
        max_capture_bytes=settings.evidence_max_capture_bytes,
        max_upload_bytes=settings.evidence_max_upload_bytes,
        login_profile_dir=settings.evidence_login_profile_dir,
        signing_key=settings.evidence_signing_key,
        tsa_url=settings.evidence_tsa_url,
        secret_key=settings.secret_key,
    )
