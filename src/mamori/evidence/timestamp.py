"""RFC 3161 time-stamps: a time-stamp authority (TSA) attests that the metadata existed at a time.

The request and the reply are ASN.1 (asn1crypto); the reply is kept as `timestamp.tsr`, so anyone
can check it with `openssl ts -verify -in timestamp.tsr -data metadata.json -CAfile tsa-ca.pem`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
from asn1crypto import algos, tsp

from mamori.core.errors import DomainError


@dataclass(frozen=True)
class TimeStamp:
    gen_time: dt.datetime
    digest_sha256: str
    tsa: str
    serial: int


class TimeStampFailed(DomainError):
    def __init__(self, en: str) -> None:
        super().__init__(
            code="evidence_timestamp_failed", status=502, ja=f"タイムスタンプを取得できません: {en}", en=en
        )


def request_timestamp(data: bytes, tsa_url: str, *, timeout_s: float = 20.0) -> bytes:
    """Ask the TSA to stamp SHA-256(data); returns the DER reply (TimeStampResp)."""
    req = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": hashlib.sha256(data).digest(),
            },
            "nonce": secrets.randbits(63),
            "cert_req": True,
        }
    )
    try:
        reply = httpx.post(
            tsa_url,
            content=req.dump(),
            headers={"Content-Type": "application/timestamp-query"},
            timeout=timeout_s,
            trust_env=False,
        )
    except httpx.HTTPError as exc:
        raise TimeStampFailed(str(exc)) from None
    if reply.status_code != 200:
        raise TimeStampFailed(f"TSA answered HTTP {reply.status_code}")
    read(reply.content)  # refuse a reply that is not a granted time-stamp
    return reply.content


def read(reply_der: bytes) -> TimeStamp:
    """The stamped time and digest of a TimeStampResp; raises TimeStampFailed if not granted."""
    try:
        resp = tsp.TimeStampResp.load(reply_der)
        status = resp["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            raise TimeStampFailed(f"TSA refused: {status}")
        info = resp["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
        imprint = info["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256":
            raise TimeStampFailed("time-stamp is not over SHA-256")
        tsa = info["tsa"].native if info["tsa"].native else ""
        return TimeStamp(
            gen_time=info["gen_time"].native,
            digest_sha256=imprint["hashed_message"].native.hex(),
            tsa=str(tsa.get("common_name", tsa) if isinstance(tsa, dict) else tsa),
            serial=int(info["serial_number"].native),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise TimeStampFailed(f"unreadable time-stamp reply: {exc}") from None


def verify_with_openssl(reply: Path, data: Path, ca_file: Path) -> str | None:
    """Full check of the TSA's signature and certificate chain (openssl ts -verify); None when valid."""
    result = subprocess.run(
        ["openssl", "ts", "-verify", "-in", str(reply), "-data", str(data), "-CAfile", str(ca_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    return None if result.returncode == 0 else (result.stderr or result.stdout).strip()[:500]
