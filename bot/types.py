"""Values that cross the boundary between channels, engine and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict


@dataclass(frozen=True, slots=True)
class UserKey:
    """Whose conversation: the channel and the user's id there, written "channel:id" (the id may
    itself hold colons). Parsed and formatted here only."""

    channel: str
    id: str

    @classmethod
    def parse(cls, text: str) -> UserKey:
        channel, colon, user_id = text.partition(":")
        if not (colon and channel and user_id):
            raise ValueError(f"a user key is CHANNEL:ID (e.g. telegram:12345), not {text!r}")
        return cls(channel, user_id)

    def __str__(self) -> str:
        return f"{self.channel}:{self.id}"


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
        return UserKey.parse(self.user_key).channel


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


# -- what `Session.answers` carries besides the plain answers (option ids, typed values) ----------
class Complaint(TypedDict):
    """A complaint the user reported filing, `answers["complaints"]`, with its reminder."""

    id: str  # "c1", "c2" … in the order recorded
    channel: str  # a channel directory id (dialogs/channels.yaml)
    filed: str  # ISO date, Beijing time
    ref: str | None  # the channel's reference number, if the user gave one
    at: float  # when it was recorded (epoch seconds)
    due_at: float  # when the reminder goes out
    due_date: str  # ISO date the answer is due (or our check-in day)
    days: int
    kind: Literal["deadline", "checkin"]  # a rule's time limit, or our own check-in
    status: Literal["open", "resolved", "escalated", "cancelled"]
    asked: bool  # the reminder went out
    overdue: bool  # the rule's time had already run out when it was recorded


class TimelineEntry(TypedDict):
    """A file the user sent as evidence, `answers["evidence_timeline"]` (the file itself is not here)."""

    number: int  # 1, 2 … in the order received
    at: float  # when it arrived (epoch seconds)
    kind: str  # photo | video | document | voice …
    sha256: str  # the file's fingerprint
    size: int  # bytes
    description: str  # what the user said it shows ("" until described)
    kept: bool  # an encrypted copy is kept


class TransientAnswers(TypedDict, total=False):
    """Half-entered values inside a sub-flow: dropped when the user leaves it."""

    fu_new_channel: str
    fu_new_date: str
    fu_new_ref: str
    fu_cancel_pick: int
    move_code_input: str
    ev_description: str


# Given to one rendering of a reply, never saved with the session (the keys start with "_").
class RenderOnly(TypedDict, total=False):
    _move_code: str
    _move_minutes: int
    _move_limited: bool
    _move_invalid: bool


TRANSIENT_KEYS = tuple(TransientAnswers.__annotations__)
