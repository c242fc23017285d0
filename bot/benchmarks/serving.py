"""A real `weiquan serve` for the bench: its database, the fake Bot API, its worker processes.

On PostgreSQL the server gets a throwaway schema (dropped afterwards) and a connection tag, so
the bench can count the server's connections; on SQLite, a file in a temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg

from bot.benchmarks import pg_floor
from bot.benchmarks.conversation import passed_through
from bot.benchmarks.load import Connection
from bot.store.db import open_engine, upgrade

SECRET = "bench-webhook-secret"
TOKEN = "123456:bench-token"
DATA_KEY = "bench-data-key-0123456789abcdefghijklmn"  # serve refuses keys under 32 characters


@dataclass(frozen=True, slots=True)
class Server:
    port: int
    fake_base: str  # http://127.0.0.1:PORT/bot
    master: subprocess.Popen[bytes]
    database_url: str | None  # the server's (scratch schema) URL; None: SQLite
    tag: str  # application_name of the server's PostgreSQL connections

    def connect(self) -> Connection:
        return Connection(self.port, "/telegram/webhook", {"X-Telegram-Bot-Api-Secret-Token": SECRET})

    def received(self) -> dict[str, Any]:
        """What the fake Bot API got: {"chats": {chat: [fingerprints]}, "calls": {...}}."""
        base = self.fake_base.removesuffix("/bot")
        data: dict[str, Any] = httpx.get(f"{base}/received", timeout=60).json()
        return data

    def worker_pids(self) -> list[int]:
        """uvicorn's worker processes (spawned children), or the master itself with one worker."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                if parent == self.master.pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                    children.append(int(entry.name))
        return sorted(children) or [self.master.pid]

    def connections(self) -> int | None:
        """The server's open PostgreSQL connections (None on SQLite)."""
        if self.database_url is None:
            return None
        with psycopg.connect(pg_floor.conninfo(self.database_url, application_name="bench")) as db:
            row = db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (self.tag,)
            ).fetchone()
        return int(row[0]) if row else 0


def rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far: shows how the work spread over workers."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    return 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _database(database_url: str | None, tag: str) -> Iterator[str | None]:
    if database_url is None:
        yield None
        return
    with pg_floor.scratch_schema(database_url) as schema:
        url = pg_floor.in_schema(database_url, schema, application_name=tag)
        db = open_engine(url)
        try:
            upgrade(db)  # as `weiquan db upgrade` does before a deployment
        finally:
            db.dispose()
        yield url


def _stop(process: subprocess.Popen[Any], timeout: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def serving(database_url: str | None, workers: int) -> Iterator[Server]:
    tag = f"weiquan-bench-{secrets.token_hex(4)}"
    with (
        tempfile.TemporaryDirectory(prefix="weiquan-serve-bench-") as tmp,
        _database(database_url, tag) as url,
    ):
        fake = subprocess.Popen(
            [sys.executable, "-m", "bot.benchmarks.fake_botapi"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert fake.stdout is not None
        fake_base = fake.stdout.readline().decode().strip()
        port = _free_port()
        env = {name: value for name, value in os.environ.items() if not name.startswith("WEIQUAN_")}
        env.update(
            {
                "WEIQUAN_DATA_DIR": tmp,
                "WEIQUAN_DATA_KEY": DATA_KEY,
                "WEIQUAN_TELEGRAM_TOKEN": TOKEN,
                "WEIQUAN_TELEGRAM_WEBHOOK_SECRET": SECRET,
                "WEIQUAN_TELEGRAM_API_BASE": fake_base,
                "WEIQUAN_LOG_LEVEL": "WARNING",
                # the fake is not Telegram: no 30 messages/s cap between the bench and it
                "WEIQUAN_TELEGRAM_MAX_RATE": "0",
            }
        )
        if url is not None:
            env["WEIQUAN_DATABASE_URL"] = url
        env.update(passed_through())
        log = open(Path(tmp) / "serve.log", "wb")  # noqa: SIM115 - closed below, after the process
        master = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", str(workers)],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        server = Server(port, fake_base, master, url, tag)
        try:
            _wait_healthy(server, Path(tmp) / "serve.log", workers)
            yield server
        finally:
            _stop(master, 60)  # serve drains the replies it still has to send
            log.close()
            assert fake.stdin is not None
            fake.stdin.close()
            _stop(fake, 5)


def _wait_healthy(server: Server, log: Path, workers: int) -> None:
    deadline = time.monotonic() + 120
    while True:
        if server.master.poll() is not None:
            raise RuntimeError(f"weiquan serve exited: {log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError("weiquan serve did not start")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{server.port}/healthz").status_code == 200 and (
                workers == 1 or len(server.worker_pids()) == workers
            ):
                return
        time.sleep(0.2)
