from __future__ import annotations

import pytest

from tests.workspace.support import stub_abuse


@pytest.fixture(autouse=True)
def _fixed_abuse_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mamori.requests.service._abuse", stub_abuse)
