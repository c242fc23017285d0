"""Proactive senders for the follow-up worker: a reply the user did not ask for just now.

A sender takes (user_key, reply) and says whether nothing is left to retry. Each is a channel's
own `push` (bot/channels/lifecycle.py), so reminders share the channel's rendering, failure
classification and metrics. Telegram may message a private chat at any time; WeChat only inside
its 48-hour customer-service window, so the worker fires WeChat reminders only once the user has
written again (see followup_queries.claim_due).
"""

from __future__ import annotations

from bot.channels.configured import configured_channels
from bot.channels.lifecycle import Channel
from bot.config import Settings
from bot.followups.worker import Sender
from bot.service import Service
from bot.types import Outbound


class ChannelSender:
    """A channel's push as the worker's sender; closing the sender closes the channel."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    async def __call__(self, user_key: str, outbound: Outbound) -> bool:
        return await self.channel.push(user_key, outbound)

    async def aclose(self) -> None:
        await self.channel.aclose()


def configured_senders(service: Service, settings: Settings) -> dict[str, Sender]:
    """`weiquan worker`'s senders: the channels this deployment can push through."""
    channels = configured_channels(service, settings)
    return {channel.name: ChannelSender(channel) for channel in channels if channel.can_push}


async def close_senders(senders: dict[str, Sender]) -> None:
    for sender in senders.values():
        if isinstance(sender, ChannelSender):
            await sender.aclose()
