"""Operator accounts, signed session cookies, CSRF tokens and the login throttle.

Passwords are argon2 hashes, checked in a thread of their own. A session cookie is signed with
WEIQUAN_CONSOLE_SECRET and names the operator and their session generation, checked on every
request: signing out, a password change or `operator disable` bumps it and ends every session.
CSRF: each browser gets a random nonce cookie; forms carry an HMAC of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Connection

from bot.config import Settings
from bot.store import console_tables as db
from bot.store import login_attempts as attempts
from bot.store.db import is_sqlite, open_engine, upgrade

SESSION_COOKIE = "wq_session"
CSRF_COOKIE = "wq_csrf"
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 10
_hasher = PasswordHasher()
T = TypeVar("T")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _run(settings: Settings, job: Callable[[Connection], T]) -> T:
    """The CLI's operator commands: one transaction, without starting the store thread."""
    engine = open_engine(settings.database_url)
    try:
        if is_sqlite(engine):
            upgrade(engine)
        with engine.begin() as conn:
            return job(conn)
    finally:
        engine.dispose()


def add_operator(settings: Settings, name: str, *, admin: bool = False) -> str:
    """Create an account; returns its one-time password (it must be changed at first login)."""
    password = secrets.token_urlsafe(12)
    hashed = hash_password(password)

    def job(conn: Connection) -> None:
        db.insert_operator(conn, name, hashed, time.time(), admin=admin)

    _run(settings, job)
    return password


def disable_operator(settings: Settings, name: str) -> None:
    def job(conn: Connection) -> bool:
        return db.disable(conn, name)

    if not _run(settings, job):
        raise KeyError(name)


def verify_password(row: db.OperatorRow, password: str) -> bool:
    try:
        return _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def needs_rehash(row: db.OperatorRow) -> bool:
    return _hasher.check_needs_rehash(row.password_hash)


# The sign-in throttle (bot/store/login_attempts.py): attempts per WINDOW seconds.
WINDOW = 300.0
ACCOUNT_LIMIT = 5  # per account and address
ADDRESS_LIMIT = 30  # per address, any names: operators behind one NAT or proxy share it


def throttle_keys(purpose: str, name: str, address: str) -> tuple[list[tuple[str, int]], str]:
    """(key, limit) pairs for one attempt, and the account-and-address key a success clears.

    `purpose` keeps the sign-in form and the password-change form's counters apart."""
    pair = attempts.digest(purpose, name, address)
    return [(pair, ACCOUNT_LIMIT), (attempts.digest("address", address), ADDRESS_LIMIT)], pair


class PasswordWork:
    """argon2 off the event loop, one hash at a time: each costs ~50 ms of CPU and 64 MiB, so a
    burst of sign-ins queues here instead of stalling webhooks and /healthz (or memory)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weiquan-argon2")

    async def verify(self, row: db.OperatorRow, password: str) -> bool:
        return await asyncio.wrap_future(self._pool.submit(verify_password, row, password))

    async def hash(self, password: str) -> str:
        return await asyncio.wrap_future(self._pool.submit(hash_password, password))


class Signer:
    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()
        self._sessions = URLSafeTimedSerializer(secret, salt="weiquan-console-session")

    def session_cookie(self, operator: db.OperatorRow) -> str:
        return self._sessions.dumps({"o": operator.id, "g": operator.generation})

    def read_session(self, cookie: str | None) -> tuple[int, int] | None:
        if not cookie:
            return None
        try:
            data = self._sessions.loads(cookie, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("o"), int):
            return None
        return int(data["o"]), int(data.get("g", -1))

    def csrf_token(self, nonce: str) -> str:
        return hmac.new(self._secret, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()

    def pseudonym(self, user_key: str) -> str:
        """Names an erased case in the audit log without keeping its id (a keyed digest)."""
        digest = hmac.new(self._secret, b"erased:" + user_key.encode(), hashlib.sha256)
        return "erased:" + digest.hexdigest()[:16]

    def csrf_valid(self, nonce: str | None, token: object) -> bool:
        if not nonce or not isinstance(token, str) or not token:
            return False
        return hmac.compare_digest(self.csrf_token(nonce), token)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)
