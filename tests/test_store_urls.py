"""Database URLs: the synchronous spellings, the older async ones, and a clear error for others."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.db import open_engine, sync_url


@pytest.mark.parametrize("scheme", ["sqlite", "sqlite+aiosqlite", "sqlite+pysqlite"])
def test_sqlite_urls_open_the_file_with_the_standard_driver(tmp_path: Path, scheme: str) -> None:
    path = tmp_path / "weiquan.sqlite"
    engine = open_engine(f"{scheme}:///{path}")
    try:
        assert engine.dialect.driver == "pysqlite"
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 40 + 2")).scalar() == 42
    finally:
        engine.dispose()
    assert path.exists()


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+asyncpg", "postgresql+psycopg"])
def test_postgresql_urls_map_onto_psycopg(scheme: str) -> None:
    assert sync_url(f"{scheme}://u:p@db:5432/weiquan") == "postgresql+psycopg://u:p@db:5432/weiquan"


def test_other_backends_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unsupported database backend 'mysql'"):
        sync_url("mysql://u@db/weiquan")
