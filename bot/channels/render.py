"""Plain-text rendering shared by the terminal, WeChat and the transcript runner."""

from __future__ import annotations

from bot.types import Message, Outbound


def numbered(message: Message) -> str:
    lines = [message.text] if message.text else []
    lines += [f"{n}. {option.label}" for n, option in enumerate(message.options, start=1)]
    return "\n".join(lines)


def plain_text(outbound: Outbound) -> str:
    return "\n\n".join(numbered(m) for m in outbound.messages)
