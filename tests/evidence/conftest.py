from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from mamori.core import auth
from mamori.evidence.settings import EvidenceSettings
from tests.conftest import CHROMIUM, loud_skip
from tests.evidence.site import Site
from tests.evidence.tsa import LocalTSA


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff accounts are made by the dozen here; what is tested is access, not Argon2's cost."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    with Site() as running:
        yield running


@pytest.fixture(scope="session")
def tsa() -> Iterator[LocalTSA]:
    with LocalTSA() as running:
        yield running


@pytest.fixture
def ev_settings(tmp_path: Path) -> EvidenceSettings:
    """Capture settings for loopback test pages (allow_private_fetch: the test-only switch)."""
    if not Path(CHROMIUM).exists():
        loud_skip(f"evidence capture tests: no Chromium at {CHROMIUM}")
    return EvidenceSettings(
        root=tmp_path / "evidence", allow_private_fetch=True, chromium=Path(CHROMIUM), capture_timeout_s=20
    )
