"""Structured logs: one JSON object per line, ids and events only, never message text."""

from __future__ import annotations

import logging
import re
import sys

import orjson

_FIELDS = ("user_key", "channel", "update_id", "outbox_id", "operator", "status")
# Last line of defence for library messages we do not write ourselves (an exception text with a
# request URL, say): configured secrets and anything shaped like a Telegram bot token are masked.
_BOT_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
_URL_PASSWORD = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
_MASK = "[redacted]"
_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Called for every configured secret (bot.config); short values would mask ordinary words."""
    if len(value) >= 8:
        _secrets.add(value)


def scrub(text: str) -> str:
    text = _BOT_TOKEN.sub(_MASK, text)
    text = _URL_PASSWORD.sub(rf"\1{_MASK}@", text)
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, _MASK)
    return text


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "t": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "event": scrub(record.getMessage()),
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
    # A failing handler must not print the record's arguments (user text, say) to stderr.
    logging.raiseExceptions = False
    # Run under plain `uvicorn --factory`, uvicorn has given its loggers handlers of their own
    # (plain text, not scrubbed): send everything through the one JSON handler instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Library request logs carry URLs (a bot token, WeChat openids in query strings): keep them out.
    for noisy in ("httpx", "httpcore", "telegram", "uvicorn.access", "transitions", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
