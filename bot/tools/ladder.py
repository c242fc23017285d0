"""Complaint channels the user may report, the time each one has to answer, and the next rung.

Data comes from the channel directory, dialogs/channels.yaml; every time limit there is backed by
a fact id. A channel with no fixed time gets our own check-in (`checkin_days`), which the
bot presents as a check-in, never as a legal deadline. Pure functions: no I/O after loading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Literal

from bot.tools.channel_directory import Channel, ChannelDirectory, default_channel_directory

CHINA = timezone(timedelta(hours=8))  # dates the user gives are Beijing dates
ASK_AT = time(9, 0)  # the reminder goes out the morning after the time has run out
MIN_LEAD_SECONDS = 3600.0  # a time already past is asked about an hour later, not at once


@dataclass(frozen=True, slots=True)
class Ladder:
    channels: dict[str, Channel]
    checkin_days: int


@dataclass(frozen=True, slots=True)
class Due:
    due_at: float  # when the reminder is sent (epoch seconds)
    due_date: str  # the day the answer was due, or the check-in day (ISO)
    days: int  # the channel's time or our check-in
    kind: Literal["deadline", "checkin"]  # a rule's time | our own check-in


def ladder_of(directory: ChannelDirectory) -> Ladder:
    complaints = {c.id: c for c in directory.channels.values() if c.complaint}
    return Ladder(complaints, directory.checkin_days)


@lru_cache(maxsize=1)
def default_ladder() -> Ladder:
    return ladder_of(default_channel_directory())


def china_date(now: float) -> date:
    return datetime.fromtimestamp(now, CHINA).date()


def _add_working_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def due_for(
    channel_id: str, filed: date, lender_type: str | None, now: float, ladder: Ladder | None = None
) -> Due:
    ladder = ladder or default_ladder()
    channel = ladder.channels.get(channel_id)
    days = channel.days if channel and channel.follow_up else None
    kind: Literal["deadline", "checkin"]
    if channel and channel.only_for is not None and lender_type not in channel.only_for:
        days = None
    if channel and days is not None:
        until = _add_working_days(filed, days) if channel.working_days else filed + timedelta(days)
        kind = "deadline"
    else:
        days = ladder.checkin_days
        until = china_date(now) + timedelta(days)
        kind = "checkin"
    ask = datetime.combine(until + timedelta(days=1), ASK_AT, CHINA).astimezone(UTC).timestamp()
    return Due(max(ask, now + MIN_LEAD_SECONDS), until.isoformat(), days, kind)


def next_rung(
    channel_id: str, plan_ids: list[str], complained: set[str], ladder: Ladder | None = None
) -> str | None:
    """The next channel to try after `channel_id`: its own `next` when the rules give one (after
    the police, reconsideration of a refusal), else the user's own plan, skipping channels
    already complained to."""
    ladder = ladder or default_ladder()
    static = ladder.channels[channel_id].next if channel_id in ladder.channels else None
    rest = plan_ids[plan_ids.index(channel_id) + 1 :] if channel_id in plan_ids else plan_ids
    candidates = ([static] if static else []) + rest
    for candidate in candidates:
        if candidate != channel_id and candidate not in complained and candidate in ladder.channels:
            return candidate
    return None
