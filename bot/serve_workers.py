"""`weiquan serve --workers N`: N uvicorn processes, each listening on its own SO_REUSEPORT socket.

uvicorn's own multi-worker mode shares one listening socket, and whichever worker is awake takes
every connection waiting in the queue: a burst of keep-alive connections (a proxy's, Telegram's)
all landed on one worker while the others idled. With a socket per worker the kernel spreads new
connections over the workers evenly. A worker that dies is started again; SIGTERM or SIGINT stops
them all, each finishing its requests and replies first.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

RESTART_PAUSE = 1.0  # seconds between restarts of a worker that keeps dying at start-up


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, trusted_proxies: str) -> None:
    import uvicorn

    # The client's address and scheme (login throttle, Secure cookies) from these proxies only.
    config = uvicorn.Config(
        "bot.app:create_app",
        factory=True,
        host=host,
        port=port,
        access_log=False,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips=trusted_proxies,
    )
    uvicorn.Server(config).run(sockets=[_listen(host, port)])


def run(host: str, port: int, workers: int, trusted_proxies: str) -> int:
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(target=_worker, args=(host, port, trusted_proxies), daemon=False)
        process.start()
        return process

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    time.sleep(RESTART_PAUSE)
                    processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for process in processes:
            process.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
