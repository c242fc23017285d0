"""The complaint channel directory, dialogs/channels.yaml: one entry per channel, read once.

The escalation plan (bot/tools/plan.py) lists the channels that carry `tags` and their locale keys;
the follow-up ladder (bot/followups/ladder.py) uses every entry's time limit and `next` rung.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import content_dir
from bot.errors import FlowError
from bot.yamlfile import load_yaml, strip_lines


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    facts: tuple[str, ...]  # facts behind the entry
    days: int | None  # the time the rule gives for an answer; None: no fixed time
    working_days: bool  # `days` counts Monday–Friday only
    only_for: frozenset[str] | None  # lender types `days` applies to; None: all
    follow_up: bool  # False: `days` decide something else (an application), not the answer
    complaint: bool  # a user may report a complaint filed here (a follow-up rung)
    next: str | None  # the next rung when the rules name one (after the police: a review)
    tags: tuple[str, ...]  # problems the plan suggests it for; empty: a follow-up rung only
    after: tuple[str, ...]  # channels the plan waits for first
    name_key: str
    contact_key: str
    response_key: str
    fallback_key: str | None


@dataclass(frozen=True, slots=True)
class ChannelDirectory:
    channels: dict[str, Channel]
    checkin_days: int  # our own check-in for a channel with no fixed time: never a legal deadline

    def planned(self) -> dict[str, Channel]:
        """The channels the escalation plan may suggest (they have tags and texts)."""
        return {c.id: c for c in self.channels.values() if c.tags}


def _channel(path: Path, entry: Any) -> Channel:
    try:
        only = entry.get("only_for")
        tags = tuple(entry.get("tags") or ())
        return Channel(
            id=str(entry["id"]),
            facts=tuple(entry.get("facts") or ()),
            days=entry["days"],
            working_days=bool(entry.get("working_days")),
            only_for=frozenset(only) if only else None,
            follow_up=bool(entry.get("follow_up", True)),
            complaint=bool(entry.get("complaint", True)),
            next=entry.get("next"),
            tags=tags,
            after=tuple(entry.get("after") or ()),
            name_key=entry["name_key"] if tags else "",
            contact_key=entry["contact_key"] if tags else "",
            response_key=entry["response_key"] if tags else "",
            fallback_key=entry.get("fallback_key"),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise FlowError(f"{path}: channel entry {entry!r} is incomplete ({exc})") from exc


def load_channel_directory(path: Path) -> ChannelDirectory:
    raw: Any = strip_lines(load_yaml(path) or {})
    entries = raw.get("directory") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise FlowError(f"{path}: expected a `directory:` list")
    channels: dict[str, Channel] = {}
    for entry in entries:
        channel = _channel(path, entry)
        if channel.id in channels:
            raise FlowError(f"{path}: channel {channel.id!r} is listed twice")
        if channel.days is not None and (not isinstance(channel.days, int) or not channel.facts):
            raise FlowError(f"{path}: {channel.id}: a time limit is a number of days with its facts")
        channels[channel.id] = channel
    for channel in channels.values():
        for other in (channel.next, *channel.after):
            if other is not None and other not in channels:
                raise FlowError(f"{path}: {channel.id}: unknown channel {other!r}")
    checkin = raw.get("checkin_days", 7)
    if not isinstance(checkin, int) or checkin < 1:
        raise FlowError(f"{path}: `checkin_days` must be a whole number of days")
    return ChannelDirectory(channels, checkin)


@lru_cache(maxsize=1)
def default_channel_directory() -> ChannelDirectory:
    return load_channel_directory(content_dir("dialogs") / "channels.yaml")
