"""One-time move codes: generation, normalisation, hashing (only hashes are stored)."""

from __future__ import annotations

import hashlib
import secrets

# No 0/O, 1/I/L, U: easy to read aloud on a hotline and to type on a phone.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8  # 30^8 ≈ 6.6e11 codes against at most a few guesses per user per quarter hour


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise(text: str) -> str:
    """What the user typed → the bare code: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(b"weiquan-move:" + normalise(code).encode()).hexdigest()


def attempt_key(user_key: str) -> str:
    return hashlib.sha256(b"weiquan-move-attempt:" + user_key.encode()).hexdigest()
