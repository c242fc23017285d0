"""WeChat images and voice messages into the evidence timeline, fetched by their MediaId.

Called by the WeChat adapter for media it cannot read as text. The file comes from the temporary
media API (GET /cgi-bin/media/get, kept by WeChat for three days), is hashed and recorded like a
Telegram file; None tells the adapter to answer as before (no MediaId, download refused).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

from bot.followups.evidence import MAX_DOWNLOAD_BYTES, already_recorded, record_upload_async
from bot.types import Inbound, TurnResult

log = logging.getLogger("weiquan.evidence")
KINDS = {"image": "photo", "voice": "voice"}
TOKEN_INVALID = frozenset({40001, 40014, 42001})
_background: set[asyncio.Task[None]] = set()


async def download_media(api: Any, media_id: str) -> bytes | None:
    stale: str | None = None
    async with api.client() as client:
        for _attempt in range(2):
            token = await api.access_token(client, stale=stale)
            try:
                response = await client.get(f"{api.base}/cgi-bin/media/get",
                                            params={"access_token": token, "media_id": media_id})  # fmt: skip
            except httpx.HTTPError as error:
                log.warning("evidence: wechat media download failed (%s)", type(error).__name__)
                return None
            kind = response.headers.get("content-type", "")
            if response.status_code != 200:
                return None
            if kind.startswith(("application/json", "text/")):  # an error object, not the file
                if response.json().get("errcode") in TOKEN_INVALID:
                    stale = token
                    continue
                return None
            return response.content if len(response.content) <= MAX_DOWNLOAD_BYTES else None
    return None


async def on_wechat_media(conversation: Any, fields: dict[str, str]) -> Any:
    """A Reply for the adapter (bot.channels.wechat.turns.Reply), or None."""
    from bot.channels.render import plain_text
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
            data = await download_media(conversation.api, media_id)
        except Exception as error:  # token refused, network: answer as if we could not fetch it
            log.warning("evidence: wechat media unavailable (%s)", type(error).__name__)
            data = None
        if data is None:
            return None
        result = await record_upload_async(service, user_key, kind, data, description=None,
                                           file_name=None, message_id=message_id, locale=None)  # fmt: skip
        if result is None:
            return None
    parts = split_utf8(plain_text(result.outbound))
    if len(parts) == 1:
        return Reply(parts[0], result.outbox_id)
    task = asyncio.create_task(conversation.deliver_parts(openid, parts[1:], result.outbox_id))
    _background.add(task)
    task.add_done_callback(_background.discard)
    return Reply(parts[0])
