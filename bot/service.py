"""The one way into the conversation: every kind of turn (a message, a button, a file, a reminder,
an operator's reply) comes through the Service, which steps it in the store's unit of work and
counts it; channels, the follow-up worker and the console call nothing below it."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Literal, TypeVar

from sqlalchemy import Connection

from bot import metrics
from bot.config import Settings
from bot.engine.engine import Engine
from bot.engine.hours import HumanHours
from bot.engine.i18n import DEFAULT_LANG, I18n
from bot.errors import BotError, StoreError
from bot.followups import evidence
from bot.followups import install as install_followups
from bot.ordered_delivery import OrderedDelivery, Send, SendOwn
from bot.store import console_tables, console_turns
from bot.store.crypto import Cipher
from bot.store.repo import Store
from bot.store.turns import OUTBOX_LEASE_SECONDS
from bot.tools.export import CaseFile, build_case_file
from bot.turns import DialogueStep, EffectHandler, TurnScope
from bot.types import Inbound, Session, TurnResult

Clock = Callable[[], float]
# The kinds of turn, as /metrics counts them (weiquan_turns_total{channel,kind}).
TurnKind = Literal["message", "button", "media", "reminder", "operator"]
T = TypeVar("T")

log = logging.getLogger("weiquan.service")
IN_FLIGHT_SECONDS = 120.0  # how long a channel may take to deliver a committed reply
RETRY_PASS_SECONDS = 1.0  # a pass finds nothing due in one indexed query


def _human_hours(settings: Settings) -> HumanHours:
    try:
        return HumanHours.parse(settings.human_hours)
    except ValueError as exc:
        raise BotError(f"WEIQUAN_HUMAN_HOURS: {exc}") from exc


def _kind_of(inbound: Inbound) -> TurnKind:
    return "button" if inbound.option_ids else "message"


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
        self.delivery = OrderedDelivery(store, clock)
        self.step = DialogueStep(engine, store.console)
        self._documents = ThreadPoolExecutor(max_workers=1, thread_name_prefix="weiquan-documents")

    @classmethod
    def open(cls, settings: Settings, *, engine: Engine | None = None, clock: Clock = time.time) -> Service:
        cache = settings.cache_dir or settings.data_dir
        engine = engine or Engine.load(cache=cache, human_hours=_human_hours(settings))
        cipher = Cipher(settings.data_key.reveal(), (k.reveal() for k in settings.old_data_keys))
        store = Store(settings.database_url, cipher, writers=settings.store_connections)
        service = cls(settings, engine, store, clock)
        install_followups(service)  # reminders, /move, evidence timeline: effects + eraser
        return service

    @property
    def i18n(self) -> I18n:
        return self.engine.i18n

    def add_effect_handler(self, effect: str, handler: EffectHandler) -> None:
        """Write rows for a flow effect (e.g. a reminder) in the same transaction as the turn."""
        self.step.effect_handlers[effect] = handler

    async def handle(self, inbound: Inbound) -> TurnResult:
        """A message or a button press."""
        started = time.perf_counter()
        try:
            result: TurnResult = await self.store.submit_turn_async(inbound, self.clock, self.step)
        except Exception:
            metrics.errors.labels(inbound.channel, "store").inc()
            raise
        self._after(inbound, result, started, _kind_of(inbound))
        return result

    def handle_sync(self, inbound: Inbound) -> TurnResult:
        """`handle` for the terminal, the CLI and tests without an event loop."""
        started = time.perf_counter()
        result: TurnResult = self.store.submit_turn(inbound, self.clock, self.step).result()
        self._after(inbound, result, started, _kind_of(inbound))
        return result

    async def record_upload(
        self,
        user_key: str,
        kind: str,
        data: bytes,
        *,
        description: str | None,
        file_name: str | None,
        message_id: str,
        locale: str | None,
    ) -> TurnResult | None:
        """A file the user sent: onto their evidence timeline, and the conversation stepped, in
        one transaction (bot/followups/evidence.py). None: a redelivered message."""
        upload = evidence.Upload(user_key, kind, data, description, file_name, message_id, locale)
        result: TurnResult | None = await self.run_turns("media", upload.record, user_key=user_key)
        return result

    async def run_turns(
        self, kind: TurnKind, job: Callable[[TurnScope], T], *, user_key: str | None = None
    ) -> T:
        """Run `job` in one store transaction (after `user_key`'s queued turns); the turns it
        steps through its TurnScope are counted as `kind` and tracked like a channel's own."""
        started = time.perf_counter()
        runner, step, clock = self.store.runner, self.step, self.clock

        def unit(conn: Connection) -> tuple[T, list[tuple[Inbound, TurnResult]]]:
            scope = TurnScope(conn, float(clock()), runner, step)
            return job(scope), scope.results

        value, results = await self.store.submit_async(unit, key=user_key)
        for inbound, result in results:
            self._after(inbound, result, started, kind)
        return value  # type: ignore[no-any-return]

    async def record_operator_reply(
        self, user_key: str, operator: str, text: str, *, pushed: str | None
    ) -> bool:
        """An operator's reply: `pushed` is the text the user's channel already delivered (it
        joins the transcript); None keeps `text` for the user's next turn. False: no session."""
        now, cipher = self.clock(), self.store.cipher

        def job(conn: Connection) -> bool:
            if pushed is not None:
                return console_tables.record_sent_reply(conn, cipher, user_key, pushed, now)
            return console_tables.queue_reply(conn, cipher, user_key, operator, text, now)

        started = time.perf_counter()
        done = bool(await self.store.submit_async(job, key=user_key))
        if pushed is None:
            console_turns.wake(self.store)  # the next turn shows the reply
        if done:
            channel = user_key.split(":", 1)[0]
            metrics.turn_counter(channel, "operator").inc()
            metrics.turn_timer(channel).observe(time.perf_counter() - started)
        return done

    def _after(self, inbound: Inbound, result: TurnResult, started: float, kind: TurnKind) -> None:
        channel = inbound.channel
        if result.duplicate:
            metrics.duplicates.labels(channel).inc()
            return
        metrics.turn_counter(channel, kind).inc()
        metrics.turn_timer(channel).observe(time.perf_counter() - started)
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
        """Deliver `channel`'s replies that were committed but never sent; returns how many.

        For a crash between commit and send, or a failed send: the app's lifespan runs it every
        so often (`run_outbox_retries`). Only users whose oldest unsent reply is due (its own
        sender's lease ended) are taken, each by one worker at a time, their replies in order
        (bot/ordered_delivery.py). Each pass sets the channel's outbox backlog in /metrics.
        """
        delivered = await self.delivery.pending(channel, send, limit)
        backlog = await asyncio.to_thread(self.store.outbox_backlog, channel)
        metrics.outbox_backlog.labels(channel).set(backlog)
        return delivered

    async def deliver(self, outbox_id: int | None, send: Send, send_own: SendOwn) -> bool:
        """A turn's own reply: the user's earlier unsent replies first (`send`), then this one
        (`send_own`), each marked sent as it goes out; never twice, never out of order, across
        workers. True once it is out (or was already)."""
        if outbox_id is None:
            return bool(await send_own())
        try:
            return await self.delivery.own(outbox_id, send, send_own)
        finally:
            self._in_flight.pop(outbox_id, None)

    async def run_outbox_retries(self, channel: str, send: Send, every: float = RETRY_PASS_SECONDS) -> None:
        """`resend_pending` forever (the app's lifespan runs it as a task and cancels it at
        shutdown), so what a crash left unsent goes out without waiting for a new message."""
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
        return build_case_file(
            session.answers,
            lang,
            self.i18n.texts(lang),
            today=date.fromtimestamp(self.clock()),
            official=self.i18n.texts(DEFAULT_LANG),  # the documents to hand in are in Chinese
        )

    async def build_document(self, build: Callable[[], T]) -> T:
        """A synchronous document build (the case file and its package, store reads), off the
        event loop, on the service's one document thread. Not the default thread pool: builds on
        several threads left a worker holding each thread's peak of memory, and the GIL runs one
        build at a time anyway."""
        return await asyncio.get_running_loop().run_in_executor(self._documents, build)

    def close(self) -> None:
        self._documents.shutdown(wait=True)
        self.store.close()
