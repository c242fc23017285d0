"""The test infrastructure itself: fixtures of tests/conftest.py, the transcript collector,
the throwaway PostgreSQL server and Chromium that `make test` provides."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_DATA_KEY

from bot.config import Settings

TESTS_DIR = Path(__file__).resolve().parent


def test_tmp_settings_ignores_the_developers_environment(
    tmp_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEIQUAN_TELEGRAM_TOKEN", "123:from-the-environment")
    assert tmp_settings.data_dir == tmp_path.resolve()
    assert tmp_settings.database_url == f"sqlite:///{tmp_path / 'weiquan.sqlite'}"
    assert tmp_settings.data_key.reveal() == TEST_DATA_KEY
    assert tmp_settings.telegram_token is None
    assert not (tmp_path / "data.key").exists()  # the fixed key, not a generated one


def test_free_port_can_be_bound(free_port: int) -> None:
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", free_port))
        server.listen()


def test_pg_url_is_a_fresh_database_and_earlier_ones_are_dropped(pg_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(pg_url)
    assert url.drivername == "postgresql+psycopg"
    libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == (url.database,)
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE probe (id int)")
        test_databases = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'weiquan_test_%'"
        ).fetchall()
    assert test_databases == [(url.database,)]


def test_pg_url_and_its_old_async_spelling_open_through_psycopg(pg_url: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from bot.store.db import open_engine

    old_spelling = make_url(pg_url).set(drivername="postgresql+asyncpg")
    for url in (pg_url, old_spelling.render_as_string(hide_password=False)):
        engine = open_engine(url)
        try:
            assert engine.dialect.driver == "psycopg"
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 40 + 2")).scalar() == 42
        finally:
            engine.dispose()


async def test_playwright_drives_debian_chromium_on_loopback(
    chromium_executable: str, free_port: int
) -> None:
    from playwright.async_api import async_playwright

    async def page(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = "<html><head><title>维权助手</title></head><body><button>ok</button></body></html>".encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n")
        writer.write(b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(page, "127.0.0.1", free_port)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium_executable,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            tab = await browser.new_page()
            await tab.goto(f"http://127.0.0.1:{free_port}/")
            assert await tab.title() == "维权助手"
            assert await tab.locator("button").inner_text() == "ok"
            await browser.close()
    finally:
        server.close()
        await server.wait_closed()


PASSING_TRANSCRIPT = """\
name: the first message lands in welcome
steps:
  - user: /start
    expect: {stage: welcome, options_include: [self, family]}
"""

FAILING_TRANSCRIPT = """\
name: lands in the wrong stage on purpose
steps:
  - user: /start
    expect: {stage: summary}
"""


def test_transcripts_under_dialogs_are_collected_one_test_each(tmp_path: Path) -> None:
    shutil.copy(TESTS_DIR / "conftest.py", tmp_path / "conftest.py")
    shutil.copy(TESTS_DIR / "needs.py", tmp_path / "needs.py")
    (tmp_path / "dialogs" / "nested").mkdir(parents=True)
    (tmp_path / "dialogs" / "nested" / "walk.yaml").write_text(PASSING_TRANSCRIPT, encoding="utf-8")
    (tmp_path / "dialogs" / "wrong_stage.yaml").write_text(FAILING_TRANSCRIPT, encoding="utf-8")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "ignored.yaml").write_text(FAILING_TRANSCRIPT, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "WEIQUAN_DATA_DIR": str(tmp_path / "var")},
    )

    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 1 passed" in done.stdout
    expected = "wrong_stage.yaml: step 1 (user: '/start'): stage: expected 'summary', got 'welcome'"
    assert expected in done.stdout
    assert "ignored" not in done.stdout
