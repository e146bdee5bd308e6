"""The hotline's side of the exchange with a platform that runs mamori: its trusted-channel API
(`POST /api/v1/channels/requests`, `GET /api/v1/channels/requests/{id}`) with the key the platform
issued to the hotline. HTTP only: the hotline never imports the platform's code."""

from __future__ import annotations

from typing import Any

import httpx

from mamori.core.errors import DomainError

TIMEOUT_S = 20.0


def _refused(status: int, text: str) -> DomainError:
    if status == 401:
        return DomainError(
            code="platform_refused_key",
            status=502,
            field="platform",
            ja="プラットフォームが鍵を受け付けませんでした (取り消されたか期限切れです)。新しい鍵を登録してください。",
            en="The platform refused the key (revoked or expired). Register a new key.",
        )
    return DomainError(
        code="platform_error",
        status=502,
        field="platform",
        ja=f"プラットフォームが要請を受け付けませんでした (HTTP {status}): {text[:300]}",
        en=f"The platform did not accept the request (HTTP {status}): {text[:300]}",
    )


def _unreachable(exc: Exception) -> DomainError:
    return DomainError(
        code="platform_unreachable",
        status=502,
        field="platform",
        ja=f"プラットフォームに接続できませんでした: {type(exc).__name__}",
        en=f"Could not reach the platform: {type(exc).__name__}",
    )


def send_request(api_url: str, key: str, payload: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
    """Send one trusted request; the platform's answer (its request id, receipt number, stage)."""
    try:
        answer = httpx.post(
            f"{api_url.rstrip('/')}/api/v1/channels/requests",
            json=payload,
            headers={"Authorization": f"Bearer {key}", "Idempotency-Key": idempotency_key},
            timeout=TIMEOUT_S,
        )
    except httpx.HTTPError as exc:
        raise _unreachable(exc) from exc
    if answer.status_code != 201:
        raise _refused(answer.status_code, answer.text)
    return dict(answer.json())


def fetch_status(api_url: str, key: str, remote_id: str) -> dict[str, Any]:
    """Where the request stands on the platform: its stage and the measure decided (or null)."""
    try:
        answer = httpx.get(
            f"{api_url.rstrip('/')}/api/v1/channels/requests/{remote_id}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=TIMEOUT_S,
        )
    except httpx.HTTPError as exc:
        raise _unreachable(exc) from exc
    if answer.status_code != 200:
        raise _refused(answer.status_code, answer.text)
    return dict(answer.json())
