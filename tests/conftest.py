"""Shared fixtures, and the collector that turns every tests/dialogs/**/*.yaml into one test.

`make test` starts a throwaway PostgreSQL server and exports WEIQUAN_TEST_POSTGRES_URL, and exports
WEIQUAN_TEST_CHROMIUM=/usr/bin/chromium; without them the tests that need them skip with a reason
(or fail under CI=true: see tests/needs.py).
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from needs import unavailable

from bot.config import Settings

DIALOGS_DIR = Path(__file__).resolve().parent / "dialogs"
TEST_DATA_KEY = "weiquan-test-data-key-0123456789abcdef"
TEST_CONSOLE_SECRET = "weiquan-test-console-secret-0123456789"


@pytest.fixture(scope="session", autouse=True)
def shared_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One cache directory for the whole run, inherited by the `weiquan` processes tests start:
    the FAQ matcher is trained once, not once per test's data directory."""
    previous = os.environ.get("WEIQUAN_CACHE_DIR")
    os.environ["WEIQUAN_CACHE_DIR"] = str(tmp_path_factory.mktemp("model-cache"))
    yield
    if previous is None:
        os.environ.pop("WEIQUAN_CACHE_DIR", None)
    else:
        os.environ["WEIQUAN_CACHE_DIR"] = previous


@pytest.fixture
def tmp_settings(tmp_path: Path) -> Settings:
    """Settings for one test: data in `tmp_path`, a SQLite file there, a fixed data key.

    Nothing comes from the developer's environment or `.env` (loaded with cwd = `tmp_path`),
    so no channel is configured; build variants with `dataclasses.replace(tmp_settings, ...)`.
    """
    environ = {
        "WEIQUAN_DATA_DIR": str(tmp_path),
        "WEIQUAN_DATABASE_URL": f"sqlite:///{tmp_path / 'weiquan.sqlite'}",
        "WEIQUAN_DATA_KEY": TEST_DATA_KEY,
        "WEIQUAN_CONSOLE_SECRET": TEST_CONSOLE_SECRET,
        "WEIQUAN_LOG_LEVEL": "WARNING",
        "WEIQUAN_CACHE_DIR": os.environ.get("WEIQUAN_CACHE_DIR", str(tmp_path)),
    }
    with contextlib.chdir(tmp_path):
        return Settings.load(environ)


def _libpq_url(sqlalchemy_url: str, database: str | None = None) -> str:
    """postgresql+psycopg://u@h:p/db -> postgresql://u@h:p/<database or db>, for psycopg."""
    from sqlalchemy.engine import make_url

    url = make_url(sqlalchemy_url).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test: its `postgresql+psycopg://` URL.

    Created on the server named by WEIQUAN_TEST_POSTGRES_URL (set by `make test`) and dropped
    afterwards, open connections included. Skips when the variable is unset (fails under CI=true).
    """
    server = os.environ.get("WEIQUAN_TEST_POSTGRES_URL")
    if not server:
        unavailable("WEIQUAN_TEST_POSTGRES_URL is unset: run through `make test` for PostgreSQL tests")
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"weiquan_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(_libpq_url(server), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq_url(server), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def chromium_executable() -> str:
    """Path of the Chromium that Playwright should launch (`executable_path=`).

    From WEIQUAN_TEST_CHROMIUM (`make test` sets /usr/bin/chromium); skips when unset or missing.
    Launch it headless with `--no-sandbox` (CI runs as root) and `--disable-background-networking`.
    """
    path = os.environ.get("WEIQUAN_TEST_CHROMIUM", "")
    if not path or not os.access(path, os.X_OK):
        unavailable(f"no Chromium at WEIQUAN_TEST_CHROMIUM={path!r}: run through `make test`")
    return path


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago, for a server the test starts."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# --- transcripts: tests/dialogs/**/*.yaml, one test each -------------------------------------


class TranscriptFailed(Exception):
    """A transcript's failure lines, as `bot.dialogs_runner.run_file` reported them."""


class TranscriptItem(pytest.Item):
    def runtest(self) -> None:
        from bot.dialogs_runner import run_file

        result = run_file(self.path)
        if not result.passed:
            raise TranscriptFailed("\n".join(result.failures))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TranscriptFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"transcript {self.path.name}"


class TranscriptFile(pytest.File):
    def collect(self) -> Iterator[TranscriptItem]:
        yield TranscriptItem.from_parent(self, name=self.path.stem)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> TranscriptFile | None:
    if file_path.suffix in (".yaml", ".yml") and DIALOGS_DIR in file_path.parents:
        collected: TranscriptFile = TranscriptFile.from_parent(parent, path=file_path)
        return collected
    return None
