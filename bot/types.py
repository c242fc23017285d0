"""Values that cross the boundary between channels, engine and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Inbound:
    """One user message, already parsed from the channel's payload."""

    user_key: str  # "channel:id", e.g. "telegram:12345"
    text: str = ""  # what the user typed (may be empty when option_ids is set)
    option_ids: tuple[str, ...] = ()  # buttons pressed (several = multi-select)
    locale: str | None = None  # language hint on first contact (zh_CN | en)
    message_id: str | None = None  # platform message id, for exactly-once turns

    @property
    def channel(self) -> str:
        return self.user_key.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Message:
    """One bot message: plain text (channels escape it), maybe with options."""

    text: str
    options: tuple[Option, ...] = ()
    multi: bool = False  # the options form a multi-select
    expects_text: bool = False  # the state also takes free text (a slot)


@dataclass(frozen=True, slots=True)
class Outbound:
    messages: tuple[Message, ...]
    state: str
    stage: str
    lang: str
    effects: tuple[str, ...] = ()  # e.g. "case_file", "deleted", "human"

    @property
    def text(self) -> str:
        return "\n\n".join(m.text for m in self.messages if m.text)

    @property
    def options(self) -> tuple[Option, ...]:
        for message in reversed(self.messages):
            if message.options:
                return message.options
        return ()


@dataclass(slots=True)
class Session:
    """A user's conversation as the engine sees it. The store persists it whole."""

    user_key: str
    state: str
    lang: str
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    version: int = 0
    created_at: float = 0.0
    last_activity_at: float = 0.0
    risk: int = 0  # 0 none … 3 crisis; used to rank the operator queue
    human: bool = False  # the user asked for a person (/human)


@dataclass(frozen=True, slots=True)
class TurnResult:
    outbound: Outbound
    duplicate: bool = False  # the inbound message id was seen before: recorded reply
    outbox_id: int | None = None  # mark it sent once the channel delivered it
