"""The follow-up worker inside a process that runs channels (`weiquan serve`, `weiquan telegram`)."""

from __future__ import annotations

import asyncio

from bot.channels.lifecycle import Channel
from bot.followups.worker import DEFAULT_INTERVAL, FollowupWorker
from bot.service import Service


class ChannelFollowups:
    """Due complaint reminders inside a process that runs channels (`serve`, `telegram`): sent
    through the channels' own push, so they share their HTTP clients and failure handling."""

    def __init__(self, service: Service, channels: list[Channel], interval: float = DEFAULT_INTERVAL) -> None:
        self.worker = FollowupWorker(service, {c.name: c.push for c in channels if c.can_push})
        self.interval = interval
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.worker.senders and self._task is None:  # no channel can receive a reminder: idle
            self._task = asyncio.get_running_loop().create_task(
                self.worker.run_forever(self.interval, self._stop), name="weiquan-followups"
            )

    async def stop(self) -> None:
        """Lets the pass in progress finish (its replies are committed), then stops; before the
        channels close, so its sends still have a client."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
