"""One bounded HTTP exchange to an address netguard checked, kept exactly as it arrived."""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from dataclasses import dataclass, field

import httpx

from mamori.core.errors import DomainError
from mamori.evidence.netguard import Target

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"})


class CaptureFailed(DomainError):
    """The page at `url` could not be captured; the message names the address (cut to 200 characters)."""

    code_name = "evidence_capture_failed"

    def __init__(self, url: str, ja: str, en: str) -> None:
        super().__init__(code=self.code_name, field="url", ja=f"{ja}: {url[:200]}", en=f"{en}: {url[:200]}")


class FetchLimit(CaptureFailed):
    """A bound of the capture was reached (time, size, number of requests or redirects)."""

    code_name = "evidence_capture_limit"


@dataclass
class Exchange:
    """A request and its response, as sent and as received (body still content-encoded)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    http_version: str
    response_headers: list[tuple[str, str]]
    raw_body: bytes
    body: bytes  # decoded, for the browser
    server_ip: str
    started_at: dt.datetime
    tls_certificate_der: bytes | None = None
    notes: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == name), None)


def _host_for_url(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return f"[{address}]" if address.version == 6 else str(address)


def fetch(
    target: Target,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout_s: float,
    max_bytes: int,
    now: dt.datetime,
) -> Exchange:
    """Fetch `target` from its checked address (Host and TLS SNI name the host); never follow redirects."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(target.url)
    pinned = urlunsplit(
        (parts.scheme, f"{_host_for_url(target.address)}:{target.port}", parts.path or "/", parts.query, "")
    )
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    send_headers = {k: v for k, v in (headers or {}).items() if k.lower() not in HOP_BY_HOP | {"host"}}
    send_headers["Host"] = host_header
    send_headers.setdefault("Accept-Encoding", "gzip, deflate")
    deadline = time.monotonic() + timeout_s
    timeout = httpx.Timeout(timeout_s)
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        request = client.build_request(
            method,
            pinned,
            headers=send_headers,
            content=body or None,
            extensions={"sni_hostname": target.host, "timeout": timeout.as_dict()},
        )
        try:
            response = client.send(request, stream=True)
        except httpx.TimeoutException:
            raise FetchLimit(
                target.url, "時間内に応答がありません", "no answer within the time limit"
            ) from None
        except httpx.HTTPError as exc:
            raise DomainError(
                code="evidence_fetch_failed",
                field="url",
                ja=f"取得できません: {exc}",
                en=f"fetch failed: {exc}",
            ) from None
        try:
            stream = response.extensions.get("network_stream")
            server = stream.get_extra_info("server_addr") if stream else None
            ssl_object = stream.get_extra_info("ssl_object") if stream else None
            cert = ssl_object.getpeercert(binary_form=True) if ssl_object else None
            chunks: list[bytes] = []
            size = 0
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchLimit(target.url, "応答が大きすぎます", f"response larger than {max_bytes} bytes")
            for chunk in response.iter_raw():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchLimit(
                        target.url, "応答が大きすぎます", f"response larger than {max_bytes} bytes"
                    )
                if time.monotonic() > deadline:
                    raise FetchLimit(
                        target.url, "時間内に取得できません", "response not complete within the time limit"
                    )
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise FetchLimit(
                target.url, "時間内に取得できません", "response not complete within the time limit"
            ) from None
        finally:
            response.close()
    raw = b"".join(chunks)
    response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
    decoded = httpx.Response(response.status_code, headers=response.headers.raw, content=raw).content
    return Exchange(
        url=target.url,
        method=method,
        request_headers=[("Host", host_header), *[(k, v) for k, v in send_headers.items() if k != "Host"]],
        request_body=body,
        status=response.status_code,
        reason=response.reason_phrase,
        http_version=response.http_version,
        response_headers=response_headers,
        raw_body=raw,
        body=decoded,
        server_ip=str(server[0]) if server else str(target.address),
        started_at=now,
        tls_certificate_der=cert,
    )
