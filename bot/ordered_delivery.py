"""Exactly-once, in-order delivery of committed replies, across worker processes.

Every reply in the outbox goes out through here: the turn's own channel call (`own`) and the
retry loop (`pending`). Both take the user's delivery lease, hand out the user's oldest unsent
reply marked as sent (bot/store/delivery_lease.py), send it, and on failure put it back and stop:
a user's reply N+1 never leaves before reply N went out. While a send is in progress a heartbeat
keeps the lease, so a slow platform does not let another worker overtake it; a worker that dies
holding the lease blocks that user for DELIVERY_LEASE_SECONDS at most.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from bot.store.delivery_lease import claim_due, release, renew, take_first, take_next, unsend
from bot.store.outbox_retry import PendingReply
from bot.store.repo import Store
from bot.store.turns import OUTBOX_LEASE_SECONDS
from bot.types import Outbound

log = logging.getLogger("weiquan.delivery")

# A channel's delivery of one reply: (user_key, reply) -> delivered (or never deliverable)?
Send = Callable[[str, Outbound], Awaitable[bool]]
SendOwn = Callable[[], Awaitable[bool]]
DELIVERY_LEASE_SECONDS = 5.0
LEASE_WAIT_SECONDS = 60.0  # then the retry loop owns the reply
RETRY_AFTER_SECONDS = OUTBOX_LEASE_SECONDS  # a failed send is retried no sooner than this


class OrderedDelivery:
    def __init__(self, store: Store, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    async def _job(self, job: Callable[..., object], *args: object) -> object:
        return await asyncio.wrap_future(self.store.submit(lambda conn: job(conn, *args)))

    async def own(self, outbox_id: int, send: Send, send_own: SendOwn) -> bool:
        """Deliver the reply `outbox_id` (with `send_own`), after the user's earlier unsent ones
        (with `send`). True once it is out, by this call or by another worker before it."""
        holder = secrets.token_hex(8)
        now = self.clock()
        first = self.store.submit(
            lambda conn: take_first(conn, self.store.cipher, outbox_id, holder, now, DELIVERY_LEASE_SECONDS)
        )
        session_id, held, reply = await asyncio.wrap_future(first)
        if session_id is None:
            return True  # erased meanwhile
        deadline = time.monotonic() + LEASE_WAIT_SECONDS
        pause = 0.01
        while not held:
            if time.monotonic() > deadline:
                return False  # still unsent: the retry loop sends it, in order, after its lease
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.25)
            held, reply = await self._take(session_id, holder)
        try:
            while reply is not None:
                mine = reply.outbox_id == outbox_id
                sent = await self._send(session_id, holder, reply, send_own if mine else None, send)
                if not sent or reply.outbox_id >= outbox_id:
                    return sent
                _held, reply = await self._take(session_id, holder)
            return True  # nothing unsent is left: ours went out before
        finally:
            await self._job(release, session_id, holder)

    async def pending(self, channel: str, send: Send, limit: int) -> int:
        """The retry loop's pass: every due user's unsent replies, in order; how many went out."""
        delivered = 0
        holder = secrets.token_hex(8)
        users = await self._job(claim_due, channel, self.clock(), limit, holder, DELIVERY_LEASE_SECONDS)
        assert isinstance(users, list)
        for session_id in users:
            try:
                held, reply = await self._take(session_id, holder, due_only=True)
                while held and reply is not None:
                    if not await self._send(session_id, holder, reply, None, send):
                        break
                    delivered += 1
                    held, reply = await self._take(session_id, holder, due_only=True)
            finally:
                await self._job(release, session_id, holder)
        return delivered

    async def _take(
        self, session_id: int, holder: str, *, due_only: bool = False
    ) -> tuple[bool, PendingReply | None]:
        now = self.clock()
        taken = await asyncio.wrap_future(
            self.store.submit(
                lambda conn: take_next(
                    conn,
                    self.store.cipher,
                    session_id,
                    holder,
                    now,
                    DELIVERY_LEASE_SECONDS,
                    due_only=due_only,
                )
            )
        )
        return taken  # type: ignore[no-any-return]

    async def _send(
        self, session_id: int, holder: str, reply: PendingReply, send_own: SendOwn | None, send: Send
    ) -> bool:
        async with self._heartbeat(session_id, holder):
            try:
                ok = await (send_own() if send_own is not None else send(reply.user_key, reply.outbound))
            except Exception:
                log.exception("delivery failed", extra={"outbox_id": reply.outbox_id})
                ok = False
        if not ok:
            await self._job(unsend, reply.outbox_id, self.clock() + RETRY_AFTER_SECONDS)
        return ok

    @contextlib.asynccontextmanager
    async def _heartbeat(self, session_id: int, holder: str) -> AsyncIterator[None]:
        async def beat() -> None:
            while True:
                await asyncio.sleep(DELIVERY_LEASE_SECONDS / 3)
                await self._job(renew, session_id, holder, self.clock() + DELIVERY_LEASE_SECONDS)

        task = asyncio.create_task(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
