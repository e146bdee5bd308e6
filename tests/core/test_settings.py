from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from mamori.core.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "settings.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [
        f"MAMORI_{name.upper()}" for name in Settings.model_fields if f"MAMORI_{name.upper()}" not in text
    ]
    assert not missing, f"document these in docs/settings.md: {missing}"


def test_decision_period_cannot_exceed_the_legal_fourteen_days() -> None:
    with pytest.raises(ValidationError, match="14"):
        Settings(decision_period_days=15)


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(env="production")
