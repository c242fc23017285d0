"""The Telegram channel object: one Bot API client, the webhook route, the outbox retries."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from bot.channels.lifecycle import Lifecycle
from bot.channels.telegram.adapter import TelegramWebhook, http_clients, make_bot
from bot.channels.telegram.updates import TelegramChannel
from bot.config import Settings
from bot.service import Service
from bot.types import Outbound


class Telegram:
    """`POST /telegram/webhook` in `weiquan serve`; the same object runs `weiquan telegram`'s
    long polling and pushes follow-ups and operator replies, all through one Bot API client."""

    name = "telegram"
    wait_for_user = False  # a bot may message a private chat at any time

    def __init__(self, service: Service, settings: Settings) -> None:
        # Kept so aclose can close them: Bot.shutdown skips clients it never initialized itself.
        self.requests = http_clients()
        self.bot = make_bot(settings, self.requests)
        self.updates = TelegramChannel(service, self.bot)
        self.webhook = TelegramWebhook(self.updates, settings)
        self.state = Lifecycle.NEW

    @property
    def can_push(self) -> bool:
        return True

    def routes(self) -> list[BaseRoute]:
        return [Route("/telegram/webhook", self.webhook.handle, methods=["POST"])]

    async def start(self) -> None:
        """The outbox retry loop: committed replies a crash or a failed send left unsent."""
        if self.state is Lifecycle.NEW:
            self.updates.start_outbox_retries()
        self.state = Lifecycle.RUNNING

    async def aclose(self) -> None:
        """Waits for replies being delivered, stops the retries, closes the Bot API client."""
        await self.updates.drain()
        await self.updates.stop_outbox_retries()
        await self.bot.shutdown()
        for request in self.requests:
            await request.shutdown()
        self.state = Lifecycle.CLOSED

    async def push(self, user_key: str, outbound: Outbound) -> bool:
        return await self.updates.deliver(user_key, outbound)

    async def send_operator_text(self, user_key: str, text: str) -> None:
        await self.updates.send_operator_text(user_key, text)
