"""The follow-up worker with the channels' push: inside `weiquan serve` / `weiquan telegram`, or
on its own (`weiquan worker`)."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.channels.lifecycle import Channel
from bot.channels.push import close_senders, configured_senders
from bot.config import Settings
from bot.followups.worker import DEFAULT_INTERVAL, FollowupWorker
from bot.service import Service

log = logging.getLogger("weiquan.followups")


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


async def run_worker(
    service: Service, settings: Settings, interval: float = DEFAULT_INTERVAL, once: bool = False
) -> int:
    """`weiquan worker`: only the follow-up worker, for deployments that run it on its own. The
    caller opens the service and closes it afterwards."""
    senders = configured_senders(service, settings)
    try:
        if not senders:
            log.error("worker: configure Telegram or WeChat first: no channel can receive reminders")
            return 2
        worker = FollowupWorker(service, senders)
        if once:
            log.info("follow-ups: %d reminder(s) sent", await worker.run_once())
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        log.info("follow-ups: worker started")
        await worker.run_forever(interval, stop)
        log.info("follow-ups: worker stopped")
        return 0
    finally:
        await close_senders(senders)
