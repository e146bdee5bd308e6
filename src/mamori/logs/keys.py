"""Envelope encryption of poster data and the keyed blind indexes that let queries find it.

- Key-encryption keys (KEK) come from configuration (MAMORI_LOGS_KEYS, `ID:BASE64,...`); the first one
  wraps new data keys, the others only unwrap. In development and tests an empty setting derives one
  KEK from MAMORI_SECRET_KEY (refused in production by the settings).
- A data key (random 256-bit, AES-256-GCM) seals the rows of one ingestion batch; it is stored wrapped
  by a KEK in `logs_data_key` together with the id of that KEK. Rotation re-wraps the data keys one by
  one under the newest KEK; the rows are never touched, so they stay readable during and after it.
- Each row's ciphertext is bound to the row's id (associated data): copied to another row it does not
  open.
- The blind-index key (HMAC-SHA256) is a random key stored like a data key (wrapped by the KEK, id
  "blind-index"), so rotating the KEK does not change any index value. A dump of the database without
  the KEK shows neither the values nor a way to test a guess against the index.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import os
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from mamori.core.config import Settings
from mamori.core.db import new_id
from mamori.core.errors import DomainError
from mamori.logs.store import DataKeyRow

INDEX_KEY_ID = "blind-index"
NONCE = 12
# Data keys by id, shared by the sessions of this process: an id is random and its key never changes
# (rotation re-wraps the same key), so a cached key is never wrong; bounded, oldest dropped first.
_DATA_KEYS: dict[str, AESGCM] = {}
_DATA_KEYS_MAX = 4096


def parse_keks(settings: Settings) -> list[tuple[str, bytes]]:
    """The configured KEKs, newest (the one that wraps) first."""
    raw = settings.logs_keys.strip()
    if not raw:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mamori", info=b"logs-kek").derive(
            settings.secret_key.encode()
        )
        return [("dev", derived)]
    keks: list[tuple[str, bytes]] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        kid, sep, b64 = entry.partition(":")
        try:
            key = base64.b64decode(b64, validate=True) if sep else b""
        except ValueError:
            key = b""
        if not kid or len(key) != 32 or len(kid) > 40:
            raise DomainError(
                code="logs_bad_key",
                field="MAMORI_LOGS_KEYS",
                ja=f"MAMORI_LOGS_KEYS の項目 {kid or entry[:8]!r} は ID:BASE64 (32 バイト) ではありません。",
                en=f"MAMORI_LOGS_KEYS entry {kid or entry[:8]!r} is not ID:BASE64 of 32 bytes.",
            )
        keks.append((kid, key))
    return keks


def new_kek_entry(kid: str) -> str:
    """A fresh KEK entry for MAMORI_LOGS_KEYS."""
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"


def seal_with(aead: AESGCM, value: dict[str, Any], row_id: str) -> bytes:
    nonce = os.urandom(NONCE)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return nonce + aead.encrypt(nonce, plain, row_id.encode())


def open_with(aead: AESGCM, sealed: bytes, row_id: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(aead.decrypt(sealed[:NONCE], sealed[NONCE:], row_id.encode()))
    return value


@dataclass
class Keyring:
    """The keys of one database under one configuration (cached on the session)."""

    keks: dict[str, bytes]
    newest: str
    index_key: bytes
    data_keys: dict[str, AESGCM] = field(default_factory=dict)

    def blind(self, what: str, value: str) -> str:
        """Keyed index value of a normalised value (`what` keeps account ids and addresses apart)."""
        mac = hmac.new(self.index_key, f"{what}\x00{value}".encode(), sha256).digest()
        return mac[:16].hex()

    def account_ix(self, account_id: str) -> str:
        return self.blind("account", account_id.strip())

    def ip_ix(self, normalised_ip: str) -> str:
        return self.blind("ip", normalised_ip)

    def data_key(self, db: Session, key_id: str) -> AESGCM:
        aead = self.data_keys.get(key_id) or _DATA_KEYS.get(key_id)
        if aead is None:
            row = db.get(DataKeyRow, key_id)
            if row is None:
                raise DomainError(
                    code="logs_key_missing",
                    ja="記録の鍵がありません。",
                    en="The data key of a record is missing.",
                    status=500,
                )
            aead = AESGCM(self._unwrap(row))
            if len(_DATA_KEYS) >= _DATA_KEYS_MAX:
                del _DATA_KEYS[next(iter(_DATA_KEYS))]
            _DATA_KEYS[key_id] = aead
        self.data_keys[key_id] = aead
        return aead

    def new_data_key(self, db: Session, *, at: dt.datetime) -> tuple[str, AESGCM]:
        """A fresh data key for one batch, stored wrapped by the newest KEK."""
        key = AESGCM.generate_key(bit_length=256)
        key_id = new_id()
        db.add(DataKeyRow(id=key_id, purpose="data", **self._wrap(key_id, key), created_at=at))
        db.flush()
        aead = AESGCM(key)
        self.data_keys[key_id] = aead
        return key_id, aead

    def _wrap(self, key_id: str, key: bytes) -> dict[str, Any]:
        nonce = os.urandom(NONCE)
        wrapped = nonce + AESGCM(self.keks[self.newest]).encrypt(nonce, key, key_id.encode())
        return {"kek_id": self.newest, "wrapped": wrapped}

    def _unwrap(self, row: DataKeyRow) -> bytes:
        kek = self.keks.get(row.kek_id)
        if kek is None:
            raise DomainError(
                code="logs_kek_missing",
                field="MAMORI_LOGS_KEYS",
                ja=f"鍵 {row.kek_id!r} が MAMORI_LOGS_KEYS にありません (ローテーション完了前に外さないでください)。",
                en=f"Key {row.kek_id!r} is not in MAMORI_LOGS_KEYS (keep old keys until rotate-keys has run).",
                status=500,
            )
        return AESGCM(kek).decrypt(row.wrapped[:NONCE], row.wrapped[NONCE:], row.id.encode())

    def rewrap(self, row: DataKeyRow) -> bool:
        """Re-wrap one stored key under the newest KEK; False when it already is."""
        if row.kek_id == self.newest:
            return False
        key = self._unwrap(row)
        for name, value in self._wrap(row.id, key).items():
            setattr(row, name, value)
        return True


def keyring(db: Session, settings: Settings, *, at: dt.datetime) -> Keyring:
    """The keyring for this session (the blind-index key is created, wrapped, on first use)."""
    cache: dict[str, Keyring] = db.info.setdefault("mamori.logs.keyring", {})
    found = cache.get(settings.logs_keys + "\x00" + settings.secret_key)
    if found is not None:
        return found
    keks = parse_keks(settings)
    ring = Keyring(keks=dict(keks), newest=keks[0][0], index_key=b"")
    row = db.scalar(select(DataKeyRow).where(DataKeyRow.id == INDEX_KEY_ID))
    if row is None:
        # First use: two processes may race; ON CONFLICT keeps the first key and both read it back.
        values = {
            "id": INDEX_KEY_ID,
            "purpose": "index",
            **ring._wrap(INDEX_KEY_ID, os.urandom(32)),
            "created_at": at,
        }
        dialect = db.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        db.execute(insert(DataKeyRow).values(**values).on_conflict_do_nothing(index_elements=["id"]))
        row = db.scalar(
            select(DataKeyRow).where(DataKeyRow.id == INDEX_KEY_ID).execution_options(populate_existing=True)
        )
        assert row is not None
    ring.index_key = ring._unwrap(row)
    cache[settings.logs_keys + "\x00" + settings.secret_key] = ring
    return ring
