"""`weiquan db upgrade` builds the same schema as the code describes, on SQLite and PostgreSQL.

Alembic's autogenerate comparison between the migrated database and the tables in bot/store
(sessions, console, follow-ups …) must find nothing missing; upgrading twice is harmless.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from store_backends import backend_settings  # noqa: F401 - fixture

import bot.store.console_tables
import bot.store.followup_tables  # noqa: F401 - registers their tables on the shared metadata
from bot.config import Settings
from bot.store.db import open_engine
from bot.store.schema import metadata


def upgrade_cli(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WEIQUAN_DATA_DIR": str(settings.data_dir),
        "WEIQUAN_DATABASE_URL": settings.database_url,
        "WEIQUAN_DATA_KEY": "k",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.data_dir,
        timeout=120,
        check=False,
    )


def _meaningful(diff: object) -> bool:
    # SQLite reflects FLOAT/BOOLEAN loosely and names no constraints: compare tables and columns
    kind = diff[0] if isinstance(diff, tuple) else None
    return kind in {"add_table", "remove_table", "add_column", "remove_column"}


def test_db_upgrade_matches_the_code(backend_settings: Settings) -> None:
    for _ in range(2):  # idempotent
        done = upgrade_cli(backend_settings)
        assert done.returncode == 0, done.stderr
        assert "up to date" in done.stdout
    db = open_engine(backend_settings.database_url)
    try:
        with db.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
            heads = MigrationContext.configure(conn).get_current_heads()
    finally:
        db.dispose()
    flat = [x for d in diffs for x in (d if isinstance(d, list) else [d])]
    assert [d for d in flat if _meaningful(d) and d[1] != "alembic_version"] == []
    assert len(heads) == 1
    assert {"sessions", "turns", "inbound_log", "outbox"} <= set(metadata.tables)
    assert {"claimed_until", "attempts"} <= set(metadata.tables["outbox"].c.keys())


def test_serving_an_unmigrated_postgres_says_how_to_fix_it(pg_url: str, tmp_settings: Settings) -> None:
    import dataclasses

    import pytest
    from store_backends import migrated

    from bot.errors import StoreError
    from bot.service import Service

    settings = dataclasses.replace(tmp_settings, database_url=pg_url)
    with pytest.raises(StoreError, match="weiquan db upgrade"):
        Service.open(settings)
    migrated(pg_url)
    Service.open(settings).close()
