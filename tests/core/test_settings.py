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


def test_trusted_proxies_are_addresses_or_networks_and_none_by_default() -> None:
    assert Settings().trusted_proxy_list == []
    assert Settings(trusted_proxies="10.0.0.0/8, 192.0.2.1,::1").trusted_proxy_list == [
        "10.0.0.0/8",
        "192.0.2.1",
        "::1",
    ]
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="proxy.example")


def test_limits_cannot_be_switched_off_by_zero() -> None:
    for name in ("max_body_bytes", "detect_rate_limit_per_minute", "nudge_rate_limit_per_minute"):
        with pytest.raises(ValidationError):
            Settings(**{name: 0})


def test_mamori_refuses_to_start_with_a_period_beyond_the_law(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from mamori.cli import app

    monkeypatch.setenv("MAMORI_DECISION_PERIOD_DAYS", "15")
    for command in (["serve"], ["worker", "--once"], ["db", "upgrade"], ["cases", "due"]):
        refused = CliRunner().invoke(app, command)
        assert refused.exit_code == 2, (command, refused.output)
        assert "MAMORI_DECISION_PERIOD_DAYS" in refused.stderr and "14" in refused.stderr
