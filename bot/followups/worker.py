"""The follow-up worker: fires due reminders from the database, never from in-memory timers.

One pass (`run_once`): in ONE store transaction (`Service.run_turns`, so the reminders are counted
and tracked like any turn), claim the due jobs (FOR UPDATE SKIP LOCKED on PostgreSQL; BEGIN
IMMEDIATE on SQLite), step each one's conversation with `/followup` (a turn with message id
`followup-<job id>`, so the dedup log makes it exactly-once) and mark it done.
After the commit, deliver each reply through the channel's sender and mark it sent. Any number
of workers (`weiquan worker`, `serve`, `telegram`) can run: a job is stepped once, and its reply
sent once by the worker that stepped it (a send that fails stays in the outbox for its retries).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

from bot.engine.followups.dialog import open_complaints
from bot.followups.host import ServiceHost
from bot.store import followup_queries as q
from bot.turns import TurnScope
from bot.types import Inbound, Outbound, TurnResult

log = logging.getLogger("weiquan.followups")

# A channel's proactive send: (user_key, reply) -> whether nothing is left to retry.
Sender = Callable[[str, Outbound], Awaitable[bool]]
WAIT_FOR_USER = frozenset({"wechat"})  # channels that may only answer after the user wrote

FOLLOWUP_COMMAND = "/followup"
CRISIS_POSTPONE_SECONDS = 86400.0  # never interrupt a crisis with paperwork: ask a day later
DEFAULT_INTERVAL = 15.0
RENEW_EVERY = 10  # sends between lease renewals of the batch still to go
BATCH = 50  # jobs per store transaction: short transactions, so user turns are not held up


def _own(send: Sender, user_key: str, result: TurnResult) -> Callable[[], Awaitable[bool]]:
    return lambda: send(user_key, result.outbound)


class FollowupWorker:
    def __init__(self, service: ServiceHost, senders: dict[str, Sender], name: str | None = None) -> None:
        self.service = service
        self.senders = senders
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"[:64]

    async def run_once(self) -> int:
        """Fire every due reminder this worker can deliver; the number delivered."""
        delivered = 0
        while self.senders:  # batch after batch, so a backlog drains in one pass
            claimed, fired = await self.service.run_turns("reminder", self._claim_and_step)
            for number, (job, result) in enumerate(fired):
                if result.duplicate or not result.outbound.messages:
                    continue  # an operator holds the conversation: the bot says nothing
                if number and number % RENEW_EVERY == 0:
                    await self.service.renew_in_flight()  # a slow batch keeps its leases
                send = self.senders[job.channel]
                # after the user's earlier unsent replies, marked sent as it goes (exactly once)
                if await self.service.deliver(result.outbox_id, send, _own(send, job.user_key, result)):
                    delivered += 1
                    await self._mark_sent(job.id, float(self.service.clock()))
            if claimed < BATCH:
                break
        return delivered

    async def _mark_sent(self, job_id: int, now: float) -> None:
        await asyncio.wrap_future(self.service.store.submit(lambda conn: q.mark_job_sent(conn, job_id, now)))

    def _claim_and_step(self, scope: TurnScope) -> tuple[int, list[tuple[q.DueJob, TurnResult]]]:
        conn, now, engine = scope.conn, scope.now, self.service.engine
        push = frozenset(c for c in self.senders if c not in WAIT_FOR_USER)
        wait = frozenset(c for c in self.senders if c in WAIT_FOR_USER)
        fired = []
        claimed = q.claim_due(conn, now, self.name, push, wait, limit=BATCH)
        for job in claimed:
            session = scope.load(job.user_key)[1]
            if session is None or job.complaint_id not in {c["id"] for c in open_complaints(session)}:
                q.cancel_job(conn, job.id, now)  # the user restarted, or the complaint was closed
                continue
            if engine.flow.state(session.state).stage == "crisis":
                q.postpone_job(conn, job.id, now + CRISIS_POSTPONE_SECONDS)
                continue
            inbound = Inbound(job.user_key, FOLLOWUP_COMMAND, message_id=f"followup-{job.id}")
            result = scope.turn(inbound)
            q.finish_job(conn, job.id, now, result.outbox_id)
            fired.append((job, result))
        return len(claimed), fired

    async def run_forever(
        self, interval: float = DEFAULT_INTERVAL, stop: asyncio.Event | None = None
    ) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                sent = await self.run_once()
                if sent:
                    log.info("follow-ups: %d reminder(s) sent", sent)
            except Exception:  # a bad pass must not end the loop: the jobs stay in the table
                log.exception("follow-ups: worker pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
