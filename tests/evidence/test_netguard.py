"""SSRF: loopback, private, link-local and metadata addresses and other schemes are refused, after DNS too."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from mamori.core.config import Settings
from mamori.evidence import netguard
from mamori.evidence.netguard import AddressRefused, check_url
from mamori.evidence.settings import evidence_settings


def test_private_fetch_is_refused_by_default(tmp_path: Path) -> None:
    assert Settings().allow_private_fetch is False
    assert evidence_settings(Settings(data_dir=tmp_path)).allow_private_fetch is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/admin",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.5.5/",
        "http://169.254.10.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
    ],
)
def test_internal_addresses_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused):
        check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/", "javascript:alert(1)"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(AddressRefused, match="scheme"):
        check_url(url, allow_private=True)


def test_metadata_is_refused_even_when_private_fetch_is_allowed() -> None:
    with pytest.raises(AddressRefused, match="metadata"):
        check_url("http://169.254.169.254/", allow_private=True)


def test_a_public_name_that_resolves_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(AddressRefused, match=r"private address 10\.0\.0\.7"):
        check_url("https://innocent.example/", allow_private=False)


def test_a_name_with_one_private_answer_among_public_ones_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(AddressRefused, match="loopback"):
        check_url("https://rebind.example/", allow_private=False)


def test_a_public_address_passes_and_is_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fake_getaddrinfo)
    target = check_url("https://example.com/post/1", allow_private=False)
    assert str(target.address) == "93.184.216.34" and target.port == 443 and target.host == "example.com"


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(AddressRefused, match="credentials"):
        check_url("http://user:pw@example.com/", allow_private=False)
