"""One WeChat message → one turn → a passive reply, and the customer-service API for the rest.

WeChat waits 5 seconds for the passive reply, then retries (three times) and finally shows the
user "该公众号暂时无法提供服务". So the turn gets ~4 s: answered in time, the first ≤2,048 bytes go
back passively and anything longer follows through the customer-service API; too slow, we answer
"success" (nothing) and send the whole reply through the API when the turn completes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bot import metrics
from bot.channels.render import plain_text
from bot.channels.wechat.api import WeChatAPI, WeChatAPIError
from bot.channels.wechat.files import LINK_HOURS, CaseFileLinks
from bot.channels.wechat.media import on_wechat_media
from bot.engine.flow import menu_commands
from bot.engine.i18n import DEFAULT_LANG
from bot.errors import ChannelError, StoreError
from bot.service import Service
from bot.types import Inbound, Outbound, TurnResult

log = logging.getLogger(__name__)

PASSIVE_SECONDS = 4.0  # WeChat's limit is 5 s, request and reply transfer included
PASSIVE_BYTES = 2048  # WeChat's limit for a passive text reply, UTF-8
# WeChat's "this can never be delivered" answers: invalid openid, unfollowed, 48-hour window
# closed, reply limit reached, API not authorised. Anything else may work on a later try.
GIVE_UP = frozenset({40003, 43004, 45015, 45047, 48001})
# Messages the conversation cannot read get a locale sentence instead (wechat.<key>).
CANNED = {
    "image": "media_evidence",
    "video": "media_evidence",
    "shortvideo": "media_evidence",
    "file": "media_evidence",
    "voice": "voice",
    "location": "location",
    "link": "text_only",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What goes back in the HTTP response: a text, or nothing ("success")."""

    text: str | None
    outbox_id: int | None = None  # mark sent once the response has gone out


NOTHING = Reply(None)


def split_utf8(text: str, limit: int = PASSIVE_BYTES) -> list[str]:
    """Parts of at most `limit` UTF-8 bytes, cut at blank lines, else lines, else characters."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current.strip():
            parts.append(current.strip("\n"))
        current = ""
        while len(line.encode()) > limit:  # one line longer than a whole part: cut by characters
            cut = len(line.encode()[:limit].decode(errors="ignore"))
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        parts.append(current.strip("\n"))
    return parts or [""]


class Conversation:
    def __init__(
        self, service: Service, api: WeChatAPI, links: CaseFileLinks, passive_seconds: float
    ) -> None:
        self.service = service
        self.api = api
        self.links = links
        self.passive_seconds = passive_seconds
        self._in_flight: set[str] = set()  # message ids whose turn is still running
        self._background: set[asyncio.Task[None]] = set()  # keep references until done
        self._retries: asyncio.Task[None] | None = None
        self.menu = frozenset(menu_commands(service.engine.flow, "wechat"))  # what a click may send

    async def answer(self, fields: dict[str, str]) -> Reply:
        openid = fields["FromUserName"]
        user_key = f"wechat:{openid}"
        kind = fields["MsgType"].lower()
        text: str | None = None
        message_id = fields.get("MsgId") or None
        if kind == "text":
            text = fields.get("Content", "")
        elif kind == "voice" and fields.get("Recognition"):
            text = fields["Recognition"]  # WeChat's speech recognition, when the account enabled it
        elif kind == "event":
            text = self._event_command(fields)
            # events carry no MsgId: WeChat suggests sender + CreateTime; the event and key keep two
            # menu clicks within one second apart, and a retry repeats all four
            event = (fields["CreateTime"], fields.get("Event", ""), fields.get("EventKey", ""))
            message_id = ":".join((openid, *event))
            if text is None:
                return NOTHING
        elif kind in CANNED:
            recorded = await on_wechat_media(self, fields)  # images, voice: the evidence timeline
            if recorded is not None:
                return recorded
            return Reply(await self._sentence(user_key, CANNED[kind]))
        else:
            return Reply(await self._sentence(user_key, "text_only"))
        return await self._turn(Inbound(user_key, text, message_id=message_id), openid)

    def _event_command(self, fields: dict[str, str]) -> str | None:
        event = fields.get("Event", "").lower()
        if event == "subscribe":
            return "/start"
        key = fields.get("EventKey", "")
        if event == "click" and key in self.menu:
            return key
        return None  # unsubscribe, VIEW, location reports, scans: nothing to say

    async def _turn(self, inbound: Inbound, openid: str) -> Reply:
        # a message id is the sender's own: another user's message with the same id is not a retry
        dedup = f"{inbound.user_key}\n{inbound.message_id}" if inbound.message_id else None
        if dedup is not None and dedup in self._in_flight:
            return NOTHING  # WeChat retried while the first delivery is still running: that one answers
        task = asyncio.create_task(self.service.handle(inbound))
        if dedup is not None:
            self._in_flight.add(dedup)
            task.add_done_callback(lambda _: self._in_flight.discard(dedup))
        try:
            result = await asyncio.wait_for(asyncio.shield(task), self.passive_seconds)
        except TimeoutError:
            metrics.errors.labels("wechat", "slow_turn").inc()  # answered by the API instead
            self.spawn(self._deliver_late(task, openid))
            return NOTHING
        except Exception as error:
            log.error("wechat: turn failed (%s)", type(error).__name__, extra={"channel": "wechat"})
            metrics.errors.labels("wechat", "turn").inc()
            return Reply(await self._sentence(inbound.user_key, "error"))
        parts = await self._parts(result.outbound, openid)
        if result.duplicate:
            return Reply(parts[0])  # the recorded reply again; the rest went out the first time
        if len(parts) == 1:
            return Reply(parts[0], result.outbox_id)
        self.spawn(self.deliver_parts(openid, parts[1:], result.outbox_id))
        return Reply(parts[0])

    async def _parts(self, outbound: Outbound, openid: str) -> list[str]:
        text = plain_text(outbound)
        if "case_file" in outbound.effects:
            text = f"{text}\n\n{await self._case_file_note(f'wechat:{openid}', outbound.lang)}"
        return split_utf8(text)

    async def _case_file_note(self, user_key: str, lang: str) -> str:
        """The download link (on WEIQUAN_PUBLIC_URL, for this conversation), or without a public
        origin, where to ask for the file instead."""
        session = await asyncio.to_thread(self.service.session, user_key)
        url = self.links.url(user_key, lang, session.created_at) if session else None
        if url is None:
            return self.service.i18n.text(lang, "wechat.case_file_ask_operator")
        return self.service.i18n.text(lang, "wechat.case_file_link", url=url, hours=LINK_HOURS)

    async def _deliver_late(self, task: asyncio.Task[TurnResult], openid: str) -> None:
        try:
            result = await task
        except Exception as error:
            log.error("wechat: late turn failed (%s)", type(error).__name__, extra={"channel": "wechat"})
            await self._send(openid, [await self._sentence(f"wechat:{openid}", "error")])
            return
        if not result.duplicate:
            await self.deliver_parts(openid, await self._parts(result.outbound, openid), result.outbox_id)

    async def deliver_parts(self, openid: str, parts: list[str], outbox_id: int | None) -> None:
        """Customer-service texts for a committed reply, after the user's earlier unsent ones;
        marked sent before they go (bot/ordered_delivery.py)."""
        try:
            await self.service.deliver(outbox_id, self.resend, lambda: self._send(openid, parts))
        except StoreError:  # not marked, not sent: the retry loop sends it
            log.warning("wechat: delivery postponed", extra={"outbox_id": outbox_id})

    async def resend(self, user_key: str, outbound: Outbound) -> bool:
        """The outbox's resend (after a crash or a failed send): True when nothing is left to retry."""
        openid = user_key.split(":", 1)[1]
        return await self._send(openid, await self._parts(outbound, openid))

    async def _send(self, openid: str, parts: list[str]) -> bool:
        """Customer-service texts; True when delivered or when no retry could deliver them.

        Once a part went out, a failure is not retried: the retry would repeat that part."""
        for number, part in enumerate(parts):
            try:
                await self.api.send_texts(openid, [part])
            except WeChatAPIError as error:
                log.error("wechat: customer-service send refused (%s)", error, extra={"channel": "wechat"})
                metrics.errors.labels("wechat", "api").inc()
                return number > 0 or error.errcode in GIVE_UP
            except ChannelError as error:  # unreachable, HTTP error, no token: retried later
                log.error("wechat: customer-service send failed (%s)", error, extra={"channel": "wechat"})
                metrics.errors.labels("wechat", "api").inc()
                return number > 0
        return True

    def start_outbox_retries(self) -> None:
        """Committed replies that never went out are sent again; started by the app's lifespan
        (idempotent)."""
        if self._retries is None:
            self._retries = asyncio.create_task(self.service.run_outbox_retries("wechat", self.resend))

    @property
    def retrying(self) -> bool:
        """The outbox retry loop is running."""
        return self._retries is not None and not self._retries.done()

    async def aclose(self) -> None:
        if self._retries is not None:
            self._retries.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._retries
            self._retries = None
        await self.drain()

    async def _sentence(self, user_key: str, key: str) -> str:
        session = await asyncio.to_thread(self.service.session, user_key)
        return self.service.i18n.text(session.lang if session else DEFAULT_LANG, f"wechat.{key}")

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for replies still being delivered (tests, shutdown)."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
