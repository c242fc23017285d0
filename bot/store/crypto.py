"""Encryption of user free text at rest: AES-256-GCM under a key derived from WEIQUAN_DATA_KEY.

Blob layout: version (1 byte) | key id (4 bytes) | nonce (12 bytes) | ciphertext+tag.
The key id lets `weiquan rotate-key` re-encrypt rows while old keys still decrypt.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.errors import StoreError

VERSION = b"\x01"
_INFO = b"weiquan data key v1"


def _derive(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret.encode("utf-8")
    )


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:4]


class _Nonces:
    """Random 96-bit nonces, read from the OS in blocks: one getrandom call per 256 nonces
    instead of one per encryption (the call was a third of an encryption's cost). Each nonce is
    handed out once, under a lock (several store threads encrypt at once), and a forked child
    drops the parent's unused block so two processes never share one."""

    _BLOCK = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._block = b""
        self._at = 0
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        self._lock = threading.Lock()
        self._block, self._at = b"", 0

    def take(self) -> bytes:
        with self._lock:
            if self._at >= len(self._block):
                self._block, self._at = os.urandom(12 * self._BLOCK), 0
            nonce = self._block[self._at : self._at + 12]
            self._at += 12
            return nonce


_nonces = _Nonces()


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
        nonce = _nonces.take()
        return VERSION + self.key_id + nonce + self._current.encrypt(nonce, plain, context)

    def decrypt(self, blob: bytes, context: bytes = b"") -> bytes:
        if blob[:1] != VERSION:
            raise StoreError("unknown encrypted blob version")
        aead = self._by_id.get(bytes(blob[1:5]))
        if aead is None:
            raise StoreError("data was encrypted with a key that is not configured")
        try:
            return aead.decrypt(bytes(blob[5:17]), bytes(blob[17:]), context)
        except InvalidTag as exc:
            raise StoreError("encrypted data failed authentication") from exc

    def is_current(self, blob: bytes) -> bool:
        return bytes(blob[1:5]) == self.key_id
