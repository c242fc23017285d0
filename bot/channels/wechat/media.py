"""WeChat images and voice messages into the evidence timeline, fetched by their MediaId.

Called by the WeChat adapter for media it cannot read as text. The file comes from the temporary
media API (GET /cgi-bin/media/get, kept by WeChat for three days), is hashed and recorded like a
Telegram file; None tells the adapter to answer as before (no MediaId, download refused).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.channels.render import plain_text
from bot.followups.evidence import MAX_DOWNLOAD_BYTES, already_recorded
from bot.types import Inbound, TurnResult

if TYPE_CHECKING:  # the conversation imports this module: only its types are needed here
    from bot.channels.wechat.turns import Conversation, Reply

log = logging.getLogger("weiquan.evidence")
KINDS = {"image": "photo", "voice": "voice"}


async def on_wechat_media(conversation: Conversation, fields: dict[str, str]) -> Reply | None:
    """The passive reply for a recorded file, or None to answer as before."""
    from bot.channels.wechat.turns import Reply, split_utf8

    kind = KINDS.get(fields.get("MsgType", "").lower())
    media_id, message_id = fields.get("MediaId"), fields.get("MsgId")
    if kind is None or not media_id or not message_id:
        return None
    service = conversation.service
    openid = fields["FromUserName"]
    user_key = f"wechat:{openid}"
    result: TurnResult | None
    if await asyncio.to_thread(already_recorded, service, user_key, message_id):
        result = await service.handle(Inbound(user_key, "", message_id=message_id))  # the same reply
    else:
        try:
            data = await conversation.api.media(media_id, MAX_DOWNLOAD_BYTES)
        except Exception as error:  # token refused, network: answer as if we could not fetch it
            log.warning("evidence: wechat media unavailable (%s)", type(error).__name__)
            data = None
        if data is None:
            return None
        result = await service.record_upload(
            user_key,
            kind,
            data,
            description=None,
            file_name=None,
            message_id=message_id,
            locale=None,
        )
        if result is None:
            return None
    parts = split_utf8(plain_text(result.outbound))
    if len(parts) == 1:
        return Reply(parts[0], result.outbox_id)
    # the rest as customer-service texts, tracked by the conversation so shutdown waits for it
    conversation.spawn(conversation.deliver_parts(openid, parts[1:], result.outbox_id))
    return Reply(parts[0])
