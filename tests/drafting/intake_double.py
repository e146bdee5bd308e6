"""A tiny stand-in for a platform's mamori window, served on loopback: it enforces the same schema."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from jsonschema import Draft202012Validator

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": [
        "service",
        "content_url",
        "content_text",
        "rights",
        "reason",
        "requester",
        "show_name_to_poster",
        "declaration_true",
    ],
    "properties": {
        "service": {"type": "string", "minLength": 1},
        "content_url": {"type": "string"},
        "content_text": {"type": "string"},
        "rights": {
            "type": "array",
            "minItems": 1,
            "items": {
                "enum": ["名誉権", "名誉感情", "プライバシー", "肖像権", "私生活の平穏", "営業権", "その他"]
            },
        },
        "reason": {"type": "string"},
        "requester": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "address", "email", "phone"],
            "properties": {
                k: {"type": "string", "minLength": 1} for k in ("name", "address", "email", "phone")
            },
        },
        "show_name_to_poster": {"type": "boolean"},
        "declaration_true": {"const": True},
        "evidence": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["sha256"],
                "properties": {
                    "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "description": {"type": "string"},
                    "url": {"type": "string"},
                },
            },
        },
    },
}


def intake_double() -> tuple[FastAPI, list[dict[str, Any]]]:
    """The app and the list of requests it received."""
    app = FastAPI()
    received: list[dict[str, Any]] = []

    @app.get("/api/v1/removal-requests/schema")
    def schema() -> dict[str, Any]:
        return SCHEMA

    @app.post("/api/v1/removal-requests")
    async def intake(request: Request) -> JSONResponse:
        body = await request.json()
        errors = [e.message for e in Draft202012Validator(SCHEMA).iter_errors(body)]
        if errors:
            return JSONResponse({"error": "invalid", "message": {"ja": "不正", "en": "; ".join(errors)}}, 422)
        received.append(body)
        number = f"R-20260401-{len(received):08d}"
        return JSONResponse(
            {
                "receipt_number": number,
                "received_at": "2026-04-01T19:00:00+09:00",
                "follow_url": f"/status/{number}?key=secret",
            },
            status_code=201,
        )

    @app.get("/status/{number}")
    def status(number: str, key: str, request: Request) -> JSONResponse:
        assert request.headers["accept"] == "application/json"
        return JSONResponse({"receipt_number": number, "stage": "in_review"})

    return app, received
