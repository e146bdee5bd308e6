"""Envelope encryption of consultation records: a key per consultation, wrapped for each reader.

- Each consultation has its own random 256-bit key (AES-256-GCM) that seals its personal content.
- Each staff member has an X25519 key pair; the private key is stored sealed by a key derived
  (HKDF-SHA256) from MAMORI_SECRET_KEY, bound to the user's id.
- A consultation's key is wrapped for each person allowed to read it (ephemeral X25519 + HKDF +
  AES-GCM, bound to the record id): sharing a case adds a wrap, it never decrypts the store.

A database copy without MAMORI_SECRET_KEY reveals no content; rotating the secret means re-sealing
the private keys (not done yet).
"""

from __future__ import annotations

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

NONCE = 12
KEY_BYTES = 32


def _hkdf(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(material)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce ‖ AES-GCM(key, plaintext), authenticated with aad."""
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext; raises cryptography's InvalidTag if the key, the aad or the bytes are wrong."""
    return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], aad)


def new_record_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _master(secret_key: str) -> bytes:
    return _hkdf(secret_key.encode(), b"mamori consult: staff private keys v1")


def new_user_key_pair(user_id: str, secret_key: str) -> tuple[bytes, bytes]:
    """(public key, private key sealed under MAMORI_SECRET_KEY) for a staff member."""
    private = X25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return public, seal(_master(secret_key), raw, user_id.encode())


def open_private_key(sealed_private: bytes, user_id: str, secret_key: str) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(unseal(_master(secret_key), sealed_private, user_id.encode()))


def wrap_record_key(record_key: bytes, public_key: bytes, record_id: str) -> bytes:
    """The record key, readable only with the private key matching public_key: eph_pub ‖ sealed."""
    ephemeral = X25519PrivateKey.generate()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(public_key))
    wrapping = _hkdf(shared, b"mamori consult: record key v1 " + record_id.encode())
    eph_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return eph_public + seal(wrapping, record_key, record_id.encode())


def unwrap_record_key(wrapped: bytes, private_key: X25519PrivateKey, record_id: str) -> bytes:
    shared = private_key.exchange(X25519PublicKey.from_public_bytes(wrapped[:32]))
    wrapping = _hkdf(shared, b"mamori consult: record key v1 " + record_id.encode())
    return unseal(wrapping, wrapped[32:], record_id.encode())
