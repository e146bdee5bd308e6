"""Reposts of removed content and pile-ons: fingerprint banks, matching, linked cases, pile-on detection (issue 17)."""
