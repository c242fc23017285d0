"""The one function every channel calls: a user message in, a committed reply out."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from bot import metrics
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.i18n import I18n
from bot.errors import StoreError
from bot.followups import install as install_followups
from bot.store.crypto import Cipher
from bot.store.repo import Store
from bot.store.turns import OUTBOX_LEASE_SECONDS
from bot.tools.export import CaseFile, build_case_file
from bot.types import Inbound, Outbound, Session, TurnResult

Clock = Callable[[], float]
# A channel's delivery of a reply from the outbox: (user_key, reply) -> delivered?
Send = Callable[[str, Outbound], Awaitable[bool]]

log = logging.getLogger("weiquan.service")
IN_FLIGHT_SECONDS = 120.0  # how long a channel may take to deliver a committed reply


class Service:
    def __init__(self, settings: Settings, engine: Engine, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self.clock = clock
        # Outbox rows this process committed and its channel is still delivering (a per-user
        # delivery chain may wait behind Telegram's send rate): their leases are renewed so no
        # retry loop, here or in another worker, sends them a second time.
        self._in_flight: dict[int, float] = {}  # outbox id -> committed at (service clock)

    @classmethod
    def open(
        cls, settings: Settings, *, engine: Engine | None = None, clock: Clock = time.time
    ) -> Service:
        engine = engine or Engine.load()
        cipher = Cipher(settings.data_key.reveal(), (k.reveal() for k in settings.old_data_keys))
        store = Store(settings.database_url, cipher, engine, writers=settings.store_connections)
        service = cls(settings, engine, store, clock)
        install_followups(service)  # reminders, /move, evidence timeline: effects + eraser
        return service

    @property
    def i18n(self) -> I18n:
        return self.engine.i18n

    async def handle(self, inbound: Inbound) -> TurnResult:
        started = time.perf_counter()
        try:
            result: TurnResult = await self.store.submit_turn_async(inbound, self.clock)
        except Exception:
            metrics.errors.labels(inbound.channel, "store").inc()
            raise
        self._after(inbound, result, started)
        return result

    def handle_sync(self, inbound: Inbound) -> TurnResult:
        started = time.perf_counter()
        result: TurnResult = self.store.submit_turn(inbound, self.clock).result()
        self._after(inbound, result, started)
        return result

    def _after(self, inbound: Inbound, result: TurnResult, started: float) -> None:
        channel = inbound.channel
        if result.duplicate:
            metrics.duplicates.labels(channel).inc()
            return
        metrics.turns.labels(channel).inc()
        metrics.turn_seconds.labels(channel).observe(time.perf_counter() - started)
        if result.outbox_id is not None:
            self._in_flight[result.outbox_id] = self.clock()
        if "deleted" in result.outbound.effects:
            self.store.forget_erased_pages()

    async def mark_sent(self, outbox_id: int | None) -> None:
        if outbox_id is not None:
            self._in_flight.pop(outbox_id, None)
            await asyncio.wrap_future(self.store.mark_sent(outbox_id, self.clock()))

    async def renew_in_flight(self) -> int:
        """Extend the leases of replies this process is still delivering; `run_outbox_retries`
        calls it each pass. A reply not marked sent within IN_FLIGHT_SECONDS is let go (its send
        failed or was dropped): the retry loop takes it once its lease ends."""
        now = self.clock()
        for outbox_id, since in list(self._in_flight.items()):
            if now - since > IN_FLIGHT_SECONDS:
                del self._in_flight[outbox_id]
        if self._in_flight:
            ids = list(self._in_flight)
            await asyncio.wrap_future(self.store.renew_leases(ids, now + OUTBOX_LEASE_SECONDS))
        return len(self._in_flight)

    async def resend_pending(self, channel: str, send: Send, *, limit: int = 100) -> int:
        """Deliver `channel`'s replies that were committed but never marked sent; returns how many.

        For a crash between commit and send: channels call it at start-up, then every so often
        (`run_outbox_retries`). Only rows whose lease ended are taken, and each is claimed by one
        worker. A user's replies go out in order: after a failure, their later ones wait.
        """
        claimed = await asyncio.wrap_future(
            self.store.claim_outbox(channel, self.clock(), OUTBOX_LEASE_SECONDS, limit)
        )
        held_back: set[str] = set()
        delivered = 0
        for reply in claimed:
            if reply.user_key in held_back:
                continue
            try:
                ok = await send(reply.user_key, reply.outbound)
            except Exception:
                log.exception("outbox resend failed", extra={"outbox_id": reply.outbox_id})
                ok = False
            if not ok:
                held_back.add(reply.user_key)
                continue
            await self.mark_sent(reply.outbox_id)
            delivered += 1
        return delivered

    async def wait_for_earlier_replies(
        self, outbox_id: int | None, *, timeout: float = OUTBOX_LEASE_SECONDS
    ) -> bool:
        """Across worker processes: wait until the user's earlier replies are delivered.

        With several workers, a user's next update may be committed on one worker while the
        previous reply is still being sent by another; channels that answer the webhook before
        sending call this before sending, so replies arrive in turn order. False after `timeout`
        (that worker probably died: the retry loop owns its reply now).
        """
        if outbox_id is None:
            return True
        deadline = time.monotonic() + timeout
        pause = 0.01
        while await asyncio.to_thread(self.store.unsent_before, outbox_id, self.clock()):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)
        return True

    async def run_outbox_retries(
        self, channel: str, send: Send, every: float = OUTBOX_LEASE_SECONDS / 2
    ) -> None:
        """`resend_pending` forever (run it as a task; cancel it at shutdown)."""
        while True:
            try:
                await self.renew_in_flight()
                await self.resend_pending(channel, send)
            except StoreError:
                log.warning("outbox retry pass failed", extra={"channel": channel})
            await asyncio.sleep(every)

    def session(self, user_key: str) -> Session | None:
        return self.store.session(user_key)

    def case_file(self, user_key: str) -> CaseFile | None:
        """The user's case file in their language, dated by the service clock; None if erased."""
        session = self.store.session(user_key)
        if session is None:
            return None
        lang = session.lang

        def text(key: str, **params: Any) -> str:
            return self.i18n.text(lang, key, **params)

        return build_case_file(session.answers, lang, text, today=date.fromtimestamp(self.clock()))

    def close(self) -> None:
        self.store.close()
