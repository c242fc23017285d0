"""Structured logs: one JSON object per line, ids and events only, never message text."""

from __future__ import annotations

import logging
import sys

import orjson

_FIELDS = ("user_key", "channel", "update_id", "outbox_id", "operator", "status")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "t": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({f: getattr(record, f) for f in _FIELDS if hasattr(record, f)})
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__  # the type only: no values, no text
        return orjson.dumps(entry).decode()


def setup_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Library request logs carry URLs (a bot token, WeChat openids in query strings): keep them out.
    for noisy in ("httpx", "httpcore", "telegram", "uvicorn.access", "transitions", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
