"""The WeChat channel object: one API client, the callback endpoint and its routes, the outbox."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.lifecycle import Lifecycle
from bot.channels.wechat import files
from bot.channels.wechat.adapter import WeChatEndpoint, endpoint_routes
from bot.channels.wechat.api import WeChatAPI
from bot.channels.wechat.files import CaseFileLinks
from bot.channels.wechat.turns import PASSIVE_SECONDS, Conversation, split_utf8
from bot.config import Settings
from bot.service import Service
from bot.types import Outbound


class WeChat:
    """`/wechat` when WEIQUAN_WECHAT_TOKEN is set; pushes (follow-ups, operator replies) through
    the customer-service API when the APPID and SECRET are set."""

    name = "wechat"
    wait_for_user = True  # customer-service messages only within 48 hours of the user's message

    def __init__(
        self, service: Service, settings: Settings, passive_seconds: float = PASSIVE_SECONDS
    ) -> None:
        self.service = service
        self.api = WeChatAPI(settings, clock=service.clock)
        self.links = CaseFileLinks(settings)
        self.conversation = Conversation(service, self.api, self.links, passive_seconds)
        self.endpoint: WeChatEndpoint | None = None
        if settings.wechat_token is not None:  # the callback URL; without it only pushes
            self.endpoint = WeChatEndpoint(service, settings, self.conversation)
        self.state = Lifecycle.NEW

    @property
    def can_push(self) -> bool:
        return self.api.configured

    def routes(self) -> list[BaseRoute]:
        if self.endpoint is None:
            return []
        return [*endpoint_routes(self.endpoint), *files.routes(self.service, self.links)]

    async def start(self) -> None:
        """The outbox retry loop: committed replies a crash or a failed send left unsent."""
        if self.state is Lifecycle.NEW and self.endpoint is not None:
            self.conversation.start_outbox_retries()
        self.state = Lifecycle.RUNNING

    async def aclose(self) -> None:
        """Stops the retries, waits for deliveries in flight, closes the API client."""
        await self.conversation.aclose()
        await self.api.aclose()
        self.state = Lifecycle.CLOSED

    async def push(self, user_key: str, outbound: Outbound) -> bool:
        return await self.conversation.resend(user_key, outbound)

    async def send_operator_text(self, user_key: str, text: str) -> None:
        await self.api.send_texts(user_key.split(":", 1)[1], split_utf8(text))
