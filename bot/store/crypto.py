"""Encryption of user free text at rest: AES-256-GCM under a key derived from WEIQUAN_DATA_KEY.

Blob layout: version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag.
The key id lets `weiquan rotate-key` re-encrypt rows while old keys still decrypt.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.errors import StoreError

VERSION = b"\x01"
_INFO = b"weiquan data key v1"


def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


class Cipher:
    def __init__(self, secret: str, old_secrets: Iterable[str] = ()) -> None:
        key = _derive(secret)
        self.key_id = _key_id(key)
        self._current = AESGCM(key)
        self._by_id = {self.key_id: self._current}
        for old in old_secrets:
            old_key = _derive(old)
            self._by_id.setdefault(_key_id(old_key), AESGCM(old_key))

    def encrypt(self, plain: bytes, context: bytes = b"") -> bytes:
        nonce = os.urandom(12)
        # no associated data is the same as empty, and cheaper to pass as None
        return VERSION + self.key_id + nonce + self._current.encrypt(nonce, plain, context or None)

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        if blob[:1] != VERSION:
            raise StoreError("unknown encrypted blob version")
        aead = self._by_id.get(bytes(blob[1:5]))
        if aead is None:
            raise StoreError("data was encrypted with a key that is not configured")
        try:
            return aead.decrypt(bytes(blob[5:17]), bytes(blob[17:]), context or None)
        except InvalidTag as exc:
            raise StoreError("encrypted data failed authentication") from exc

    def is_current(self, blob: bytes) -> bool:
        return bytes(blob[1:5]) == self.key_id
