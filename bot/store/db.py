"""Database engines: URL normalisation, SQLite pragmas, automatic migration of SQLite files."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
CHECKPOINT_ATTEMPTS = 5
log = logging.getLogger("weiquan.store")


def sync_url(url: str) -> str:
    """The hot path is synchronous Core: map async driver URLs onto their sync twins."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite").render_as_string(hide_password=False)
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database backend {backend!r} (use sqlite or postgresql)")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Autocommit at the driver level; SQLAlchemy's "begin" event issues BEGIN IMMEDIATE, so a
    # turn takes the write lock up front and never fails on a read→write upgrade.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "secure_delete=ON",  # erased text does not linger in free pages
        "foreign_keys=ON",
        "busy_timeout=10000",
        "wal_autocheckpoint=0",  # checkpoints run in their own thread (bot/store/checkpoint.py)
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


# Execution option for connections that only read: their transactions begin DEFERRED, so in WAL
# mode they read a snapshot without queueing behind (or blocking) the store thread's writes.
READ_ONLY = {"weiquan_read_only": True}


def _sqlite_begin(connection: Any) -> None:
    read_only = connection.get_execution_options().get("weiquan_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


# Reads outside the store threads at once, in a serving worker (the case file's, the console's,
# the outbox backlog's); the pool keeps room for bursts beyond them.
READ_CONNECTIONS = 2


def open_engine(url: str, writers: int = 1) -> Engine:
    """`writers` connections are held by store threads; the pool keeps room for reads beside them."""
    url = sync_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _create_private(Path(parsed.database))
        engine = create_engine(url, pool_size=8, max_overflow=8)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # connect_timeout: a server that drops packets fails a connection in seconds, not minutes
    return create_engine(
        url, pool_size=writers + 8, max_overflow=8, pool_pre_ping=True, connect_args={"connect_timeout": 10}
    )


def _create_private(database: Path) -> None:
    """The SQLite file, owner-only from its first byte; SQLite gives its -wal and -shm files the
    same mode. A folder it has to create is owner-only too."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def require_current_schema(engine: Engine) -> None:
    """PostgreSQL is migrated by the operator: refuse to serve an older schema (every turn would
    fail) with the command that fixes it. An unreachable server is let through: /healthz says so,
    and the store thread connects once it is back."""
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except OperationalError:
        log.warning("database unreachable at start-up")
        return
    wanted = set(ScriptDirectory.from_config(_alembic_config()).get_heads())
    if current != wanted:
        raise StoreError("the database schema is not up to date: run `weiquan db upgrade`")


def upgrade(engine: Engine) -> None:
    """Apply every Alembic migration (idempotent)."""
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def forget_erased_pages(engine: Engine) -> None:
    """SQLite: fold the WAL into the file and truncate it, so erased rows leave no copy.

    secure_delete zeroes freed space in the main file; the WAL still holds old page images
    until a checkpoint, so erasure and key rotation end with one.
    """
    if not is_sqlite(engine):
        return
    raw = engine.raw_connection()
    try:
        for _attempt in range(CHECKPOINT_ATTEMPTS):
            # (busy, wal pages, pages checkpointed): busy while a reader still uses an old snapshot
            busy = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]  # type: ignore[union-attr]
            if not busy:
                return
            time.sleep(0.02)
        log.warning("WAL checkpoint stayed busy; erased pages leave the WAL at the next one")
    finally:
        raw.close()
