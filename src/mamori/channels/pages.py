"""channels: the pages (routes are added by the capability)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["channels"])
