"""SSRF protection: a URL a user typed must not reach into the server's own network.

Checked for the first URL, for every redirect and every sub-request, *after* DNS resolution; the
fetch then connects to the very address that was checked (no second lookup to rebind).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from mamori.core.errors import DomainError

ALLOWED_SCHEMES = ("http", "https")
# Cloud metadata endpoints: refused even when private fetches are allowed for tests.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(DomainError):
    """The URL's scheme or address may not be fetched by the server."""

    def __init__(self, url: str, why_ja: str, why_en: str) -> None:
        super().__init__(
            code="evidence_address_refused",
            field="url",
            ja=f"このURLは取得できません ({why_ja}): {url[:200]}",
            en=f"This URL may not be fetched ({why_en}): {url[:200]}",
        )


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks, with the address the fetch must connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: IPAddress


def _unmapped(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def address_refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why the address is refused (English), or None when it may be fetched."""
    address = _unmapped(address)
    if address in METADATA_ADDRESSES:
        return "cloud metadata address"
    if address.is_multicast or address.is_unspecified or address.is_reserved:
        return "reserved address"
    if address.is_global:
        return None
    if allow_private:
        return None
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    return "private address"


def resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(host, "名前解決できません", f"cannot resolve: {exc}") from None
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def check_url(url: str, *, allow_private: bool) -> Target:
    """Refuse other schemes and loopback/private/link-local/metadata addresses; return the target."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise AddressRefused(url, "http(s) 以外のスキーム", f"scheme {scheme or '(none)'} is not http(s)")
    if parts.username or parts.password:
        raise AddressRefused(url, "URLに認証情報", "credentials in the URL")
    host = parts.hostname
    if not host:
        raise AddressRefused(url, "ホスト名がありません", "no host")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise AddressRefused(url, "ポートが不正", "invalid port") from None
    addresses = resolve(host, port)
    if not addresses:
        raise AddressRefused(url, "名前解決できません", "no address")
    for address in addresses:  # every answer must pass: a mixed answer is a rebinding attempt
        why = address_refusal(address, allow_private=allow_private)
        if why:
            raise AddressRefused(url, f"{why} {address}", f"{why} {address}")
    return Target(url=url, scheme=scheme, host=host, port=port, address=_unmapped(addresses[0]))
