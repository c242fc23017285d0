"""`weiquan chat`: the terminal channel. Interactive with a TTY, line-by-line when piped."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from bot.channels.render import numbered, plain_text
from bot.service import Service
from bot.types import Inbound, Outbound

_BOLD, _DIM, _CYAN, _RESET = "\033[1m", "\033[2m", "\033[36m", "\033[0m"


def _coloured(outbound: Outbound) -> str:
    parts = []
    for message in outbound.messages:
        text = message.text
        options = "\n".join(
            f"  {_CYAN}{n}.{_RESET} {o.label}" for n, o in enumerate(message.options, start=1)
        )
        parts.append("\n".join(p for p in (f"{_BOLD}{text}{_RESET}" if text else "", options) if p))
    return "\n\n".join(parts)


def run_piped(service: Service, user_key: str, lang: str | None, stdin: TextIO, out: TextIO) -> int:
    """One user message per line; each reply as plain text followed by a blank line."""
    for line in stdin:
        result = service.handle_sync(Inbound(user_key, line.rstrip("\r\n"), locale=lang))
        out.write(plain_text(result.outbound) + "\n\n")
        out.flush()
    return 0


def run_interactive(service: Service, user_key: str, lang: str | None, out: TextIO) -> int:
    session = service.session(user_key)
    if session is None:
        reply = service.handle_sync(Inbound(user_key, "/start", locale=lang)).outbound
    else:
        reply = service.engine.current(session, service.clock())
    hint = service.i18n.text(reply.lang, "terminal.hint")
    out.write(f"{_DIM}{hint}{_RESET}\n\n{_coloured(reply)}\n")
    while True:
        try:
            line = input(f"{_DIM}> {_RESET}")
        except (EOFError, KeyboardInterrupt):
            out.write("\n")
            return 0
        reply = service.handle_sync(Inbound(user_key, line, locale=lang)).outbound
        out.write("\n" + _coloured(reply) + "\n")


def run(service: Service, user: str, lang: str | None) -> int:
    user_key = f"terminal:{user}"
    if sys.stdin.isatty() and sys.stdout.isatty():
        return run_interactive(service, user_key, lang, sys.stdout)
    stdin = open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    try:
        return run_piped(service, user_key, lang, stdin, sys.stdout)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, like any filter
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


__all__ = ["numbered", "run"]
