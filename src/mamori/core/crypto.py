"""Encryption of personal data at rest (requesters' and posters' details).

AES-256-GCM with a key derived from MAMORI_SECRET_KEY by HKDF; each value carries a key id, so keys
can be rotated by adding one. The associated data binds a ciphertext to its row and field, so a value
copied to another row does not decrypt.
"""

from __future__ import annotations

import base64
import json
import os
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_ID = "k1"


@cache
def _key(secret: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mamori", info=purpose.encode()).derive(
        secret.encode()
    )


class Sealer:
    """Seals and opens JSON-able values for one purpose (e.g. "personal-data")."""

    def __init__(self, secret: str, purpose: str = "personal-data") -> None:
        self._aead = AESGCM(_key(secret, purpose))

    def seal(self, value: Any, *, bound_to: str) -> str:
        nonce = os.urandom(12)
        plain = json.dumps(value, ensure_ascii=False, sort_keys=True).encode()
        blob = self._aead.encrypt(nonce, plain, bound_to.encode())
        return f"{KEY_ID}:{base64.urlsafe_b64encode(nonce + blob).decode()}"

    def open(self, sealed: str, *, bound_to: str) -> Any:
        key_id, _, data = sealed.partition(":")
        if key_id != KEY_ID:
            raise ValueError(f"unknown key id {key_id!r}")
        raw = base64.urlsafe_b64decode(data)
        return json.loads(self._aead.decrypt(raw[:12], raw[12:], bound_to.encode()))
