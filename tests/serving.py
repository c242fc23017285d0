"""`weiquan serve` as a real process for tests: started with an environment, stopped after."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

DATA_KEY = "serve-data-key-0123456789abcdefghijklmnop"
CONSOLE_SECRET = "serve-console-secret-0123456789abcdefghij"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def outside_env() -> dict[str, str]:
    """This environment without the developer's weiquan settings, for a `weiquan` process a test
    starts; the run's shared model cache is kept, so the process does not train the FAQ model."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEIQUAN_")}
    if "WEIQUAN_CACHE_DIR" in os.environ:
        env["WEIQUAN_CACHE_DIR"] = os.environ["WEIQUAN_CACHE_DIR"]
    return env


def serve_env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = outside_env()
    env.update(
        WEIQUAN_DATA_DIR=str(tmp_path / "var"),
        WEIQUAN_DATA_KEY=DATA_KEY,
        WEIQUAN_CONSOLE_SECRET=CONSOLE_SECRET,
        WEIQUAN_LOG_LEVEL="WARNING",
        **values,
    )
    return env


@contextlib.contextmanager
def serving(tmp_path: Path, env: dict[str, str], *args: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(base URL, the process) of `weiquan serve ARGS` on a free loopback port."""
    port = free_port()
    log = (tmp_path / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port), *args],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / f"serve-{port}.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "weiquan serve did not start"
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            time.sleep(0.1)
        yield url, process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def children(pid: int) -> list[int]:
    """Worker processes of a `serve --workers N`: spawned by the uvicorn supervisor (not its
    multiprocessing resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
                if (
                    int(stat.rsplit(")", 1)[1].split()[1]) == pid
                    and b"spawn_main" in command
                    and b"resource_tracker" not in command
                ):
                    found.append(int(entry.name))
    return found
