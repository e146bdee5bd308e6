"""Ed25519 signatures over a package's metadata (which holds the SHA-256 of every file).

The signature proves the files are those the key holder wrote; who holds the key is told by its
key id (SHA-256 of the public key), which the centre publishes.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The signing key at `path`; made (mode 0600) on first use."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 private key")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw_public(key)).hexdigest()


def sign(data: bytes, key: Ed25519PrivateKey, *, signed_file: str) -> dict[str, Any]:
    """A detached signature record for `data` (the bytes of `signed_file`)."""
    public = key.public_key()
    return {
        "algorithm": ALGORITHM,
        "signed_file": signed_file,
        "sha256": hashlib.sha256(data).hexdigest(),
        "public_key": base64.b64encode(_raw_public(public)).decode(),
        "key_id": key_id(public),
        "signature": base64.b64encode(key.sign(data)).decode(),
    }


def verify(data: bytes, record: dict[str, Any], *, trusted_key_ids: set[str] | None = None) -> str | None:
    """None when the signature over `data` holds (and the key is trusted, if a set is given); else why not."""
    if record.get("algorithm") != ALGORITHM:
        return f"unknown signature algorithm {record.get('algorithm')!r}"
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(record["public_key"]))
        public.verify(base64.b64decode(record["signature"]), data)
    except (InvalidSignature, KeyError, ValueError):
        return f"signature over {record.get('signed_file', 'the file')} does not match"
    if trusted_key_ids is not None and key_id(public) not in trusted_key_ids:
        return f"signed by an unknown key {key_id(public)[:16]}…"
    return None
