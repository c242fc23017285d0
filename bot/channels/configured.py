"""The channels this deployment has credentials for."""

from __future__ import annotations

from bot.channels.lifecycle import Channel
from bot.config import Settings
from bot.service import Service


def configured_channels(service: Service, settings: Settings) -> list[Channel]:
    """Telegram with a bot token; WeChat with a callback token, or with APPID and SECRET (pushes)."""
    channels: list[Channel] = []
    if settings.telegram_token is not None:
        from bot.channels.telegram.channel import Telegram

        channels.append(Telegram(service, settings))
    if settings.wechat_token is not None or (settings.wechat_appid and settings.wechat_secret):
        from bot.channels.wechat.channel import WeChat

        channels.append(WeChat(service, settings))
    return channels
