"""The one function every channel calls: a user message in, a committed reply out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot import metrics
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.i18n import I18n
from bot.store.crypto import Cipher
from bot.store.repo import Store
from bot.types import Inbound, Session, TurnResult

Clock = Callable[[], float]


class Service:
    def __init__(self, settings: Settings, engine: Engine, store: Store, clock: Clock) -> None:
        self.settings = settings
        self.engine = engine
        self.store = store
        self.clock = clock

    @classmethod
    def open(
        cls, settings: Settings, *, engine: Engine | None = None, clock: Clock = time.time
    ) -> Service:
        engine = engine or Engine.load()
        store = Store(settings.database_url, Cipher(settings.data_key.reveal()), engine)
        return cls(settings, engine, store, clock)

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
        if "deleted" in result.outbound.effects:
            self.store.forget_erased_pages()

    async def mark_sent(self, outbox_id: int | None) -> None:
        if outbox_id is not None:
            await asyncio.wrap_future(self.store.mark_sent(outbox_id, self.clock()))

    def session(self, user_key: str) -> Session | None:
        return self.store.session(user_key)

    def session_answers(self, user_key: str) -> dict[str, Any]:
        session = self.store.session(user_key)
        return dict(session.answers) if session else {}

    def close(self) -> None:
        self.store.close()
