"""WeChat's proactive sender: customer-service texts, only inside the 48-hour window after the
user wrote, so the worker fires WeChat reminders only once the user has written again."""

from __future__ import annotations

import logging
from typing import Any

from bot.channels.push import Sender
from bot.channels.render import plain_text
from bot.channels.wechat.turns import split_utf8
from bot.types import Outbound

log = logging.getLogger("weiquan.followups")


def wechat_sender(api: Any) -> Sender:
    """Customer-service text messages through the WeChat adapter's API client."""

    async def send(user_key: str, outbound: Outbound) -> bool:
        openid = user_key.split(":", 1)[1]
        try:
            await api.send_texts(openid, split_utf8(plain_text(outbound)))
        except Exception as error:  # a refused send leaves the reply unsent in the outbox
            log.warning("follow-up: wechat send failed (%s)", type(error).__name__,
                        extra={"user_key": user_key})  # fmt: skip
            return False
        return True

    return send
