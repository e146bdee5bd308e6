"""transparency: tables (added by the capability)."""

from __future__ import annotations
