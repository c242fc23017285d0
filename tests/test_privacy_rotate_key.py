"""`weiquan rotate-key`: everything re-encrypted under the new key; a half-done rotation is safe."""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest
from store_backends import backend_settings, engine  # noqa: F401 - fixtures

from bot.config import Secret, Settings
from bot.engine.engine import Engine
from bot.errors import StoreError
from bot.service import Service
from bot.store.crypto import Cipher
from bot.store.db import open_engine
from bot.store.rotate import count_not_current, rotate_database
from bot.types import Inbound

OLD, NEW = "old-data-key-1", "new-data-key-2"
USERS = [f"telegram:{n}" for n in range(6)]


def keyed(settings: Settings, current: str, *old: str) -> Settings:
    return dataclasses.replace(
        settings, data_key=Secret(current), old_data_keys=tuple(Secret(k) for k in old)
    )


def fill(settings: Settings, engine: Engine) -> None:
    service = Service.open(keyed(settings, OLD), engine=engine)
    try:
        for user in USERS:
            for n, text in enumerate(["/start", "我的秘密", "1"]):
                service.handle_sync(Inbound(user, text=text, message_id=f"{user}-{n}"))
    finally:
        service.close()


def readable(settings: Settings, engine: Engine, current: str, *old: str) -> bool:
    """Every encrypted thing a running bot reads: sessions, transcripts, outbox, dedup replies."""
    service = Service.open(keyed(settings, current, *old), engine=engine)
    try:
        for user in USERS:
            session = service.session(user)
            assert session is not None and session.version == 3
            assert [t["in"] for t in service.store.transcript(user)][1] == "我的秘密"
            repeat = service.handle_sync(Inbound(user, text="1", message_id=f"{user}-2"))
            assert repeat.duplicate
        assert len(service.store.pending_outbox("telegram")) == 3 * len(USERS)
        return True
    except StoreError:
        return False
    finally:
        service.close()


def not_current(settings: Settings, key: str) -> int:
    db = open_engine(settings.database_url)
    try:
        return count_not_current(db, Cipher(key))
    finally:
        db.dispose()


def test_rotation_reencrypts_every_column(backend_settings: Settings, engine: Engine) -> None:
    fill(backend_settings, engine)
    report = rotate_database(backend_settings.database_url, NEW, [OLD], None)
    assert report.rewritten == len(USERS) * (1 + 3 + 3 + 3)  # session, turns, dedup, outbox
    assert report.remaining == 0 and report.raced == 0
    assert {"sessions.data_enc", "turns.text_enc", "inbound_log.reply_enc", "outbox.payload_enc"} <= set(
        report.columns
    )
    assert readable(backend_settings, engine, NEW)  # the new key alone reads everything
    assert not readable(backend_settings, engine, OLD)  # the old key alone no longer does


def test_rotation_keeps_associated_data(backend_settings: Settings, engine: Engine) -> None:
    """Evidence copies are sealed with their SHA-256 as associated data: rotation keeps it."""
    import hashlib

    from bot.followups.evidence import kept_copy
    from bot.store import followup_queries

    fill(backend_settings, engine)
    photo = b"\x89PNG fake photo bytes"
    digest = hashlib.sha256(photo).hexdigest()
    service = Service.open(keyed(backend_settings, OLD), engine=engine)
    try:
        with service.store.db.begin() as conn:
            session_id = service.store.runner.load(conn, USERS[0])[0]
            followup_queries.insert_evidence(
                conn,
                {
                    "session_id": session_id,
                    "received_at": 1.0,
                    "kind": "photo",
                    "sha256": digest,
                    "size": len(photo),
                    "file_name_enc": service.store.cipher.encrypt(b"IMG_1.png"),
                    "blob_enc": service.store.cipher.encrypt(photo, digest.encode()),
                },
            )
    finally:
        service.close()
    report = rotate_database(backend_settings.database_url, NEW, [OLD], None)
    assert report.unreadable == 0 and report.remaining == 0
    service = Service.open(keyed(backend_settings, NEW), engine=engine)
    try:
        assert kept_copy(service, USERS[0], 1) == photo
    finally:
        service.close()


def test_a_half_done_rotation_is_safe_and_finishes(backend_settings: Settings, engine: Engine) -> None:
    fill(backend_settings, engine)
    half = rotate_database(backend_settings.database_url, NEW, [OLD], max_rows=25)
    assert half.rewritten == 25 and half.remaining > 0
    # with both keys configured, either way round, everything decrypts
    assert readable(backend_settings, engine, OLD, NEW)
    assert readable(backend_settings, engine, NEW, OLD)
    rest = rotate_database(backend_settings.database_url, NEW, [OLD, NEW], None)
    assert rest.remaining == 0 and not_current(backend_settings, NEW) == 0
    assert readable(backend_settings, engine, NEW)


def test_cli_rotate_key_never_prints_a_key(backend_settings: Settings, engine: Engine) -> None:
    fill(backend_settings, engine)
    env = {
        **os.environ,
        "WEIQUAN_DATA_DIR": str(backend_settings.data_dir),
        "WEIQUAN_DATABASE_URL": backend_settings.database_url,
        "WEIQUAN_DATA_KEY": OLD,
        "WEIQUAN_NEW_DATA_KEY": NEW,
        "WEIQUAN_LOG_LEVEL": "DEBUG",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "rotate-key"],
        capture_output=True,
        text=True,
        env=env,
        cwd=backend_settings.data_dir,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "re-encrypted 60 value(s)" in done.stdout
    for key in (OLD, NEW):
        assert key not in done.stdout + done.stderr
    assert not_current(backend_settings, NEW) == 0


@pytest.mark.parametrize("wrong", ["", "x" * 8])
def test_a_blob_under_an_unknown_key_is_refused(wrong: str) -> None:
    blob = Cipher(OLD).encrypt(b"secret")
    with pytest.raises(StoreError):
        Cipher(wrong or NEW).decrypt(blob)
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(StoreError):
        Cipher(OLD).decrypt(tampered)
