"""The store under test on both backends: `backend_settings` is parametrized over sqlite and pg.

Import the fixtures into a test module (`from store_backends import backend_settings, engine`);
the pg half skips unless WEIQUAN_TEST_POSTGRES_URL is set (`make test` sets it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.store.db import open_engine, upgrade
from bot.store.schema import outbox

BACKENDS = ["sqlite", pytest.param("pg", marks=pytest.mark.postgres)]


def migrated(url: str) -> str:
    """PostgreSQL is migrated by the operator (`weiquan db upgrade`), so the tests do it too."""
    db = open_engine(url)
    try:
        upgrade(db)
    finally:
        db.dispose()
    return url


def unsent(url: str) -> int:
    """Replies committed to the outbox and not yet marked sent, on either backend."""
    db = open_engine(url)
    try:
        with db.connect() as conn:
            query = select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            return int(conn.execute(query).scalar_one())
    finally:
        db.dispose()


@pytest.fixture(params=BACKENDS)
def backend_settings(request: pytest.FixtureRequest, tmp_settings: Settings) -> Settings:
    if request.param == "sqlite":
        return tmp_settings
    url = migrated(request.getfixturevalue("pg_url"))
    return dataclasses.replace(tmp_settings, database_url=url)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The real flow, loaded once: the engine is pure and shared by every Service."""
    return Engine.load()


@pytest.fixture
def service(backend_settings: Settings, engine: Engine) -> Iterator[Service]:
    opened = Service.open(backend_settings, engine=engine)
    try:
        yield opened
    finally:
        opened.close()
