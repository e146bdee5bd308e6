from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mamori.evidence.settings import EvidenceSettings
from tests.conftest import CHROMIUM, loud_skip
from tests.evidence.site import Site
from tests.evidence.tsa import LocalTSA


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
