"""Talking to a platform's removal-request window when it runs mamori (情プラ法 Art. 22).

The window publishes its JSON Schema at `GET {base}/api/v1/removal-requests/schema`, takes requests at
`POST {base}/api/v1/removal-requests` and answers 201 with the receipt number, the time of receipt and
a follow URL. Every address here is user-supplied, so every request goes through the evidence
capability's SSRF guard (loopback, private, link-local and metadata addresses refused after DNS
resolution, the connection pinned to the checked address, no redirects followed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from mamori.core.errors import DomainError, FieldProblem
from mamori.drafting.model import RIGHT_LABELS, DeletionRequest

SCHEMA_PATH = "/api/v1/removal-requests/schema"
INTAKE_PATH = "/api/v1/removal-requests"
TIMEOUT_S = 20.0
MAX_ANSWER_BYTES = 1_000_000


@dataclass(frozen=True)
class IntakeReceipt:
    """What the window said on receipt (Art. 22: the date and time of receipt is told)."""

    receipt_number: str
    received_at: dt.datetime
    follow_url: str


def intake_error(code: str, ja: str, en: str, field: str = "base_url", status: int = 502) -> DomainError:
    return DomainError(code=code, ja=ja, en=en, field=field, status=status)


def removal_request_payload(draft: DeletionRequest, service: str) -> dict[str, Any]:
    """The deletion request as the window's JSON (rights by their Japanese names, evidence by hash)."""
    reason = draft.reason
    if draft.harm:
        reason += f"\n\n（被害の状況）\n{draft.harm}"
    if draft.post_number:
        reason += f"\n\n（投稿番号等: {draft.post_number}）"
    rights = [RIGHT_LABELS[right][0] for right in draft.rights]
    if draft.rights_other:
        reason += f"\n\n（その他の権利: {draft.rights_other}）"
    payload: dict[str, Any] = {
        "service": service,
        "content_url": draft.content_url,
        "content_text": draft.content_text,
        "rights": rights,
        "reason": reason,
        "requester": {
            "name": draft.requester.name,
            "address": draft.requester.address,
            "email": draft.requester.email,
            "phone": draft.requester.phone,
        },
        "show_name_to_poster": bool(draft.show_name_to_poster),
        "declaration_true": draft.declaration_true,
    }
    if draft.evidence:
        payload["evidence"] = [
            {"sha256": e.sha256, "description": e.description, **({"url": e.url} if e.url else {})}
            for e in draft.evidence
        ]
    return payload


def schema_problems(payload: Mapping[str, Any], schema: Mapping[str, Any]) -> list[FieldProblem]:
    """What the window's published schema refuses in the payload, one problem per place."""
    from jsonschema import validators

    try:
        validator_class = validators.validator_for(schema)
        validator_class.check_schema(schema)
    except Exception as exc:  # jsonschema raises SchemaError and others for a broken schema
        raise intake_error(
            "intake_schema_invalid",
            f"受付窓口が公開しているスキーマが正しくありません: {exc}",
            f"The window's published schema is not valid: {exc}",
        ) from None
    problems = []
    for error in sorted(validator_class(schema).iter_errors(payload), key=lambda e: list(e.path)):
        where = ".".join(str(part) for part in error.path)
        problems.append(
            FieldProblem(
                field=where,
                ja=f"受付窓口の形式に合いません: {error.message}",
                en=f"Not accepted by the window's schema: {error.message}",
            )
        )
    return problems


def _exchange(
    url: str,
    *,
    method: str,
    allow_private: bool,
    now: dt.datetime,
    body: bytes = b"",
) -> tuple[int, Any]:
    """One JSON exchange with a checked, pinned address; (status, parsed JSON or None)."""
    from mamori.evidence import fetcher, netguard

    target = netguard.check_url(url, allow_private=allow_private)
    headers = {"Accept": "application/json", "User-Agent": "mamori-drafting"}
    if body:
        headers["Content-Type"] = "application/json"
    try:
        answer = fetcher.fetch(
            target,
            method=method,
            headers=headers,
            body=body,
            timeout_s=TIMEOUT_S,
            max_bytes=MAX_ANSWER_BYTES,
            now=now,
        )
    except DomainError as exc:
        raise intake_error(
            "intake_unreachable",
            f"受付窓口に接続できません: {exc.ja}",
            f"Could not reach the window: {exc.en}",
        ) from None
    try:
        parsed = json.loads(answer.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    return answer.status, parsed


def fetch_schema(base_url: str, *, allow_private: bool, now: dt.datetime) -> dict[str, Any] | None:
    """The window's JSON Schema, or None when the address does not run a mamori window."""
    status, parsed = _exchange(
        urljoin(base_url.rstrip("/") + "/", SCHEMA_PATH.lstrip("/")),
        method="GET",
        allow_private=allow_private,
        now=now,
    )
    if status != 200 or not isinstance(parsed, dict):
        return None
    return parsed


def submit(
    payload: Mapping[str, Any], base_url: str, *, allow_private: bool, now: dt.datetime
) -> IntakeReceipt:
    """POST the request; the receipt from a 201 answer, or DomainError with the window's own words."""
    url = urljoin(base_url.rstrip("/") + "/", INTAKE_PATH.lstrip("/"))
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    status, parsed = _exchange(url, method="POST", allow_private=allow_private, now=now, body=body)
    if status != 201 or not isinstance(parsed, dict):
        message = parsed.get("message") if isinstance(parsed, dict) else None
        ja = message.get("ja", "") if isinstance(message, dict) else ""
        en = message.get("en", "") if isinstance(message, dict) else ""
        raise intake_error(
            "intake_refused",
            f"受付窓口が申出を受け付けませんでした (HTTP {status}) {ja}".strip(),
            f"The window did not accept the request (HTTP {status}) {en}".strip(),
        )
    try:
        received_at = dt.datetime.fromisoformat(str(parsed["received_at"]))
        receipt = IntakeReceipt(
            receipt_number=str(parsed["receipt_number"]),
            received_at=received_at,
            follow_url=urljoin(url, str(parsed["follow_url"])),
        )
    except (KeyError, ValueError):
        raise intake_error(
            "intake_answer_invalid",
            "受付窓口の応答に受付番号・受付日時・確認用 URL がありません。",
            "The window's answer lacks the receipt number, time of receipt or follow URL.",
        ) from None
    if received_at.tzinfo is None:
        raise intake_error(
            "intake_answer_invalid",
            "受付窓口の受付日時に時差がありません。",
            "The window's time of receipt has no offset.",
        )
    return receipt


def follow(follow_url: str, *, allow_private: bool, now: dt.datetime) -> dict[str, Any]:
    """The request's status as the window tells it (JSON answer of the follow URL)."""
    status, parsed = _exchange(follow_url, method="GET", allow_private=allow_private, now=now)
    parts = urlsplit(follow_url)
    if not isinstance(parsed, dict) and parts.path.startswith("/status/"):
        # A window whose follow page answers HTML only: its JSON twin is GET /api/v1/status/{receipt}.
        api_url = urlunsplit((parts.scheme, parts.netloc, "/api/v1" + parts.path, parts.query, ""))
        status, parsed = _exchange(api_url, method="GET", allow_private=allow_private, now=now)
    if status != 200 or not isinstance(parsed, dict):
        raise intake_error(
            "intake_follow_failed",
            f"受付窓口から状況を取得できません (HTTP {status})。",
            f"Could not get the status from the window (HTTP {status}).",
        )
    return parsed
