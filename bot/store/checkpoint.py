"""SQLite: WAL checkpoints in a thread of their own, off the turn's commit path.

With automatic checkpoints, the commit that crosses the threshold copies the WAL into the file and
syncs it, and every turn in that batch waits (tens of milliseconds: the p99 of a busy webhook).
Here commits only append to the WAL; this thread folds it back every half second (PASSIVE: it
never blocks the writer or readers).
"""

from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("weiquan.store")

INTERVAL_SECONDS = 0.5


class Checkpointer:
    def __init__(self, path: str) -> None:
        self._path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="weiquan-checkpoint", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        connection = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA busy_timeout=1000")
            while not self._stop.wait(INTERVAL_SECONDS):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error as exc:  # busy or locked: the next round catches up
                    log.debug("checkpoint skipped: %s", type(exc).__name__)
        finally:
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
