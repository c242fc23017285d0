"""What a stolen database file reveals: no free text ever; after erasure, not even the user id.

The SQLite files (main, -wal, -shm) are read as raw bytes, as an attacker with the disk would.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from store_backends import backend_settings, engine, service  # noqa: F401 - fixtures

from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.types import Inbound

PHRASE = "PLANTED-秘密短语-催收电话-7f3a9c"
USER_ID = "777123456789"
USER = f"telegram:{USER_ID}"


def db_files(settings: Settings) -> list[Path]:
    main = Path(settings.database_url.removeprefix("sqlite:///"))
    return [p for p in (main, Path(f"{main}-wal"), Path(f"{main}-shm")) if p.exists()]


def files_containing(settings: Settings, needle: str) -> list[str]:
    raw = needle.encode("utf-8")
    return [p.name for p in db_files(settings) if raw in p.read_bytes()]


def _talk(service: Service, user: str, texts: list[str]) -> None:
    for n, text in enumerate(texts):
        service.handle_sync(Inbound(user, text=text, message_id=f"{user}-{n}"))


def test_free_text_is_not_in_the_database_files(tmp_settings: Settings, engine: Engine) -> None:
    service = Service.open(tmp_settings, engine=engine)
    try:
        _talk(service, USER, ["/start", PHRASE, f"我在 {PHRASE} 被骚扰", "1", PHRASE])
        assert any(PHRASE in str(t["in"]) for t in service.store.transcript(USER))  # it was kept
        assert files_containing(tmp_settings, USER_ID)  # the id is in clear while the user exists
        assert files_containing(tmp_settings, PHRASE) == []  # WAL included, before any checkpoint
    finally:
        service.close()
    assert files_containing(tmp_settings, PHRASE) == []


def test_after_delete_neither_text_nor_user_id_is_in_the_files(
    tmp_settings: Settings, engine: Engine
) -> None:
    service = Service.open(tmp_settings, engine=engine)
    try:
        _talk(service, "telegram:1", ["/start", "another user stays"])
        _talk(service, USER, ["/start", PHRASE, "1", "/delete"])
        done = service.handle_sync(Inbound(USER, option_ids=("confirm",), message_id="confirm"))
        assert "deleted" in done.outbound.effects
        assert service.session(USER) is None and service.store.transcript(USER) == []
        assert files_containing(tmp_settings, USER_ID) == []
        assert files_containing(tmp_settings, PHRASE) == []
        assert service.session("telegram:1") is not None  # only that user was erased
        # a repeated confirm (Telegram resending the update) does not recreate the user
        again = service.handle_sync(Inbound(USER, option_ids=("confirm",), message_id="confirm"))
        assert again.duplicate and service.session(USER) is None
    finally:
        service.close()
    assert files_containing(tmp_settings, USER_ID) == []


def test_delete_cancel_keeps_everything(service: Service) -> None:
    _talk(service, USER, ["/start", "/delete"])
    kept = service.handle_sync(Inbound(USER, option_ids=("cancel",), message_id="cancel"))
    assert kept.outbound.state == "welcome"
    session = service.session(USER)
    assert session is not None and session.version == 3


def test_erasers_registered_by_other_modules_run_in_the_same_erasure(service: Service) -> None:
    erased: list[int] = []
    service.store.add_eraser(lambda conn, session_id: erased.append(session_id))
    _talk(service, USER, ["/start"])
    assert service.store.delete_user(USER)
    assert len(erased) == 1
    assert not service.store.delete_user(USER)  # nothing left to erase


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WEIQUAN_DATA_DIR": str(settings.data_dir),
        "WEIQUAN_DATABASE_URL": settings.database_url,
        "WEIQUAN_DATA_KEY": settings.data_key.reveal(),
        "WEIQUAN_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.data_dir,
        timeout=60,
        check=False,
    )


def _stopped_at(moment: float) -> Callable[[], float]:
    return lambda: moment


def test_cli_delete_and_purge(backend_settings: Settings, engine: Engine) -> None:
    day = 86400.0
    now = 2_000_000_000.0  # the CLI's clock is the real one: these sessions are from the future…
    clocks = {"telegram:old": 1_000_000_000.0, "telegram:recent": now, "telegram:gone": now}
    for user, at in clocks.items():
        service = Service.open(backend_settings, engine=engine, clock=_stopped_at(at))
        try:
            _talk(service, user, ["/start", PHRASE])
        finally:
            service.close()
    done = _cli(backend_settings, "delete", "--user", "telegram:gone")
    assert done.returncode == 0, done.stderr
    done = _cli(backend_settings, "purge", "--older-than", "90d")  # …except the old one
    assert done.returncode == 0, done.stderr
    assert "1" in done.stdout
    service = Service.open(backend_settings, engine=engine)
    try:
        assert [s.user_key for s in service.store.sessions_by_risk()] == ["telegram:recent"]
    finally:
        service.close()
    if backend_settings.database_url.startswith("sqlite"):
        assert files_containing(backend_settings, "telegram:old") == []
        assert files_containing(backend_settings, "telegram:gone") == []
    assert now - day > clocks["telegram:old"]


def test_data_key_file_is_private(tmp_path: Path) -> None:
    settings = Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path / "var")})
    settings.data_key.reveal()  # made on first use
    assert oct((tmp_path / "var" / "data.key").stat().st_mode & 0o777) == "0o600"
    assert Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path / "var")}).data_key.reveal() == (
        settings.data_key.reveal()
    )  # made once, then reused
    assert settings.data_key.reveal() not in repr(dataclasses.asdict(settings))


async def test_purge_keeps_what_is_recent_or_undelivered(backend_settings: Settings, engine: Engine) -> None:
    now = [1_000_000.0]
    service = Service.open(backend_settings, engine=engine, clock=lambda: now[0])
    try:
        idle = await service.handle(Inbound("telegram:idle", text="/start", message_id="i1"))
        active = await service.handle(Inbound("telegram:active", text="/start", message_id="a1"))
        await service.mark_sent(idle.outbox_id)
        await service.mark_sent(active.outbox_id)
        now[0] += 100 * 86400
        unsent = await service.handle(Inbound("telegram:active", text="/help", message_id="a2"))
        assert service.store.purge(now[0] - 90 * 86400) == 1
        assert service.session("telegram:idle") is None
        session = service.session("telegram:active")
        assert session is not None and session.version == 2
        pending = [p[0] for p in service.store.pending_outbox("telegram")]
        assert pending == [unsent.outbox_id]  # the delivered old reply went, the unsent one stayed
        again = await service.handle(Inbound("telegram:active", text="/help", message_id="a2"))
        assert again.duplicate  # recent message ids are still recognised
    finally:
        service.close()


def test_no_column_of_any_table_holds_free_text_in_clear(backend_settings: Settings, engine: Engine) -> None:
    """Walk the flow typing the phrase at every step (slots, re-prompts), then read every column of
    every table, on either backend: the phrase is only ever inside ciphertext."""
    from sqlalchemy import MetaData, select

    service = Service.open(backend_settings, engine=engine)
    try:
        n = 0

        def send(**fields: object) -> tuple[str, ...]:
            nonlocal n
            n += 1
            result = service.handle_sync(Inbound(USER, message_id=f"walk-{n}", **fields))  # type: ignore[arg-type]
            return tuple(o.id for o in result.outbound.options)

        options = send(text="/start")
        for _ in range(30):
            send(text=f"{PHRASE} 平台")
            options = send(option_ids=options[:1]) if options else send(text="/back")
        send(text="/summary")
        assert len(service.store.transcript(USER)) == n
        session = service.session(USER)
        assert session is not None and PHRASE in str(session.answers)  # a text slot took it
        metadata = MetaData()
        metadata.reflect(bind=service.store.db)
        assert {"sessions", "turns", "outbox", "inbound_log"} <= set(metadata.tables)
        raw = PHRASE.encode("utf-8")
        with service.store.db.connect() as conn:
            for table in metadata.sorted_tables:
                for row in conn.execute(select(table)):
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            assert raw not in bytes(value), table.name
                        else:
                            assert PHRASE not in str(value), table.name
    finally:
        service.close()
