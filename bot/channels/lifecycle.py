"""Channels as objects: built once per process, started and closed by whoever runs them.

`weiquan serve` (bot/app.py) builds every configured channel, mounts its routes, starts it in the
Starlette lifespan and closes it at shutdown; `weiquan telegram` does the same for Telegram around
long polling; `weiquan worker` builds them only to push due follow-ups. A channel owns its one
long-lived HTTP client, its outbox retry loop and its background deliveries, so `aclose()` can wait
for all of them and leave nothing running.
"""

from __future__ import annotations

import enum
from typing import Protocol

from starlette.routing import BaseRoute

from bot.types import Outbound


class Lifecycle(enum.Enum):
    NEW = "new"  # built: routes can be mounted, nothing runs yet
    RUNNING = "running"  # outbox retries run; deliveries may be in flight
    CLOSED = "closed"  # nothing left running, HTTP client closed


class Channel(Protocol):
    name: str  # the user_key prefix: "telegram", "wechat"
    wait_for_user: bool  # may only message a user who wrote recently (WeChat's 48-hour window)
    state: Lifecycle

    @property
    def can_push(self) -> bool:
        """Has the credentials to send a message the user did not just ask for."""
        ...

    def routes(self) -> list[BaseRoute]: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...

    async def push(self, user_key: str, outbound: Outbound) -> bool:
        """A reply the user did not just ask for (a due follow-up, the outbox's resend); True when
        nothing is left to retry."""
        ...

    async def send_operator_text(self, user_key: str, text: str) -> None:
        """An operator's reply from the console; raises when the platform did not take it."""
        ...
