"""Drafting tests make staff accounts by the dozen too: cheap password hashing, as in tests/evidence."""

from tests.evidence.conftest import cheap_password_hashing

__all__ = ["cheap_password_hashing"]
