"""Replies committed but never delivered (a crash between commit and send) are resent, once.

Two Services on one database stand for two worker processes: each claimed row goes to one only.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterator

import pytest
from store_backends import backend_settings, engine  # noqa: F401 - fixtures

from bot import metrics
from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.store.turns import OUTBOX_LEASE_SECONDS
from bot.types import Inbound, Outbound, TurnResult

T0 = 1_800_000_000.0


@dataclasses.dataclass
class Clock:
    now: float = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workers(backend_settings: Settings, engine: Engine, clock: Clock) -> Iterator[list[Service]]:
    opened = [Service.open(backend_settings, engine=engine, clock=clock) for _ in range(2)]
    try:
        yield opened
    finally:
        for worker in opened:
            worker.close()


class Recorder:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refuse = refuse

    async def __call__(self, user_key: str, outbound: Outbound) -> bool:
        await asyncio.sleep(0)  # let the other worker run while this one "sends"
        if user_key in self.refuse:
            return False
        self.sent.append((user_key, outbound.text))
        return True


async def _turns(service: Service, users: int, per_user: int) -> dict[int, tuple[str, str]]:
    expected: dict[int, tuple[str, str]] = {}
    for n in range(per_user):
        for u in range(users):
            user = f"telegram:{u}"
            result = await service.handle(
                Inbound(user, text="/start" if n == 0 else f"x{n}", message_id=f"{u}-{n}")
            )
            assert result.outbox_id is not None
            expected[result.outbox_id] = (user, result.outbound.text)
    return expected


async def test_unsent_replies_are_resent_after_their_lease_once(workers: list[Service], clock: Clock) -> None:
    first = workers[0]
    expected = await _turns(first, users=3, per_user=4)  # committed, never marked sent
    send = Recorder()
    assert await first.resend_pending("telegram", send) == 0  # the turns' own senders may still run
    clock.now += OUTBOX_LEASE_SECONDS + 1
    assert await first.resend_pending("telegram", send) == len(expected)
    assert sorted(send.sent) == sorted(expected.values())
    for user in ("telegram:0", "telegram:1", "telegram:2"):  # each user's replies in order
        assert [t for u, t in send.sent if u == user] == [t for u, t in expected.values() if u == user]
    clock.now += OUTBOX_LEASE_SECONDS + 1
    assert await first.resend_pending("telegram", send) == 0  # marked sent: never again
    assert first.store.pending_outbox("telegram") == []


async def test_two_workers_retrying_at_once_send_each_reply_once(
    workers: list[Service], clock: Clock
) -> None:
    expected = await _turns(workers[0], users=10, per_user=5)
    clock.now += OUTBOX_LEASE_SECONDS + 1
    send = Recorder()
    counts = await asyncio.gather(
        *(worker.resend_pending("telegram", send, limit=7) for worker in workers * 10)
    )
    assert sum(counts) == len(send.sent) == len(expected)
    assert sorted(send.sent) == sorted(expected.values())  # no reply twice, none lost


async def test_a_refused_send_holds_back_that_users_later_replies(
    workers: list[Service], clock: Clock
) -> None:
    service = workers[0]
    expected = await _turns(service, users=2, per_user=3)
    clock.now += OUTBOX_LEASE_SECONDS + 1
    refusing = Recorder(refuse=frozenset({"telegram:1"}))
    assert await service.resend_pending("telegram", refusing) == 3  # telegram:0's three
    assert {u for u, _ in refusing.sent} == {"telegram:0"}
    assert await service.resend_pending("telegram", refusing) == 0  # still leased to this attempt
    clock.now += OUTBOX_LEASE_SECONDS + 1
    healed = Recorder()
    assert await service.resend_pending("telegram", healed) == 3
    assert healed.sent == [v for v in expected.values() if v[0] == "telegram:1"]


async def test_erasing_a_user_drops_their_unsent_replies(workers: list[Service], clock: Clock) -> None:
    service = workers[0]
    await _turns(service, users=2, per_user=2)
    assert service.store.delete_user("telegram:0")
    clock.now += OUTBOX_LEASE_SECONDS + 1
    send = Recorder()
    assert await service.resend_pending("telegram", send) == 2
    assert {u for u, _ in send.sent} == {"telegram:1"}


def _own(send: Recorder, user_key: str, result: TurnResult) -> Callable[[], Awaitable[bool]]:
    return lambda: send(user_key, result.outbound)


async def test_a_later_reply_never_overtakes_an_earlier_one_on_another_worker(
    workers: list[Service], clock: Clock
) -> None:
    first, second = workers
    user = "telegram:7"
    earlier = await first.handle(Inbound(user, text="/start", message_id="o1"))
    later = await second.handle(Inbound(user, text="/help", message_id="o2"))
    send = Recorder()
    # the second worker delivers its reply: the first worker's earlier one goes out before it
    assert await second.deliver(later.outbox_id, send, _own(send, user, later))
    assert [t for _, t in send.sent] == [earlier.outbound.text, later.outbound.text]
    # the first worker's own delivery finds its reply already out: nothing is sent twice
    assert await first.deliver(earlier.outbox_id, send, _own(send, user, earlier))
    assert len(send.sent) == 2
    assert first.store.pending_outbox("telegram") == []


async def test_while_one_worker_sends_a_users_reply_another_waits_for_it(
    workers: list[Service], clock: Clock
) -> None:
    first, second = workers
    user = "telegram:8"
    earlier = await first.handle(Inbound(user, text="/start", message_id="p1"))
    later = await second.handle(Inbound(user, text="/help", message_id="p2"))
    send, gate = Recorder(), asyncio.Event()

    async def slow_own() -> bool:
        await gate.wait()  # the platform takes its time
        return await send(user, earlier.outbound)

    sending = asyncio.ensure_future(first.deliver(earlier.outbox_id, send, slow_own))
    await asyncio.sleep(0.2)
    waiting = asyncio.ensure_future(second.deliver(later.outbox_id, send, _own(send, user, later)))
    await asyncio.sleep(0.3)
    assert not waiting.done() and send.sent == []  # the later reply waits for the earlier one
    gate.set()
    assert await sending and await waiting
    assert [t for _, t in send.sent] == [earlier.outbound.text, later.outbound.text]


async def test_a_failed_send_holds_back_the_users_later_replies(workers: list[Service], clock: Clock) -> None:
    service = workers[0]
    user = "telegram:9"
    earlier = await service.handle(Inbound(user, text="/start", message_id="q1"))
    later = await service.handle(Inbound(user, text="/help", message_id="q2"))
    refusing, send = Recorder(refuse=frozenset({user})), Recorder()
    assert not await service.deliver(earlier.outbox_id, refusing, _own(refusing, user, earlier))
    # the next turn's delivery tries the earlier reply first; refused again, nothing overtakes it
    assert not await service.deliver(later.outbox_id, refusing, _own(refusing, user, later))
    assert send.sent == [] and len(service.store.pending_outbox("telegram")) == 2
    clock.now += OUTBOX_LEASE_SECONDS + 1
    assert await service.resend_pending("telegram", send) == 2
    assert [t for _, t in send.sent] == [earlier.outbound.text, later.outbound.text]


async def test_replies_still_being_delivered_keep_their_lease(workers: list[Service], clock: Clock) -> None:
    from bot.service import IN_FLIGHT_SECONDS

    sender, other = workers
    slow = await sender.handle(Inbound("telegram:9", text="/start", message_id="s1"))
    done = await sender.handle(Inbound("telegram:9", text="/help", message_id="s2"))
    await sender.mark_sent(done.outbox_id)
    send = Recorder()
    for _ in range(4):  # the channel is still working through a long send backlog
        clock.now += OUTBOX_LEASE_SECONDS / 2
        assert await sender.renew_in_flight() == 1
        assert await other.resend_pending("telegram", send) == 0  # nobody sends it twice
    assert send.sent == []
    clock.now += IN_FLIGHT_SECONDS  # the delivery never finished: it is let go…
    assert await sender.renew_in_flight() == 0
    clock.now += OUTBOX_LEASE_SECONDS + 1  # …and after its lease the retry loop sends it, once
    assert await other.resend_pending("telegram", send) == 1
    assert [u for u, _ in send.sent] == ["telegram:9"]
    assert [p[0] for p in sender.store.pending_outbox("telegram")] == []
    assert slow.outbox_id is not None


def _backlog() -> float | None:
    return metrics.registry.get_sample_value("weiquan_outbox_backlog", {"channel": "telegram"})


async def test_each_retry_pass_sets_the_outbox_backlog_metric(workers: list[Service], clock: Clock) -> None:
    service = workers[0]
    await _turns(service, users=2, per_user=2)
    clock.now += OUTBOX_LEASE_SECONDS + 1
    assert await service.resend_pending("telegram", Recorder(refuse=frozenset({"telegram:1"}))) == 2
    assert _backlog() == 2  # telegram:1's two replies wait
    clock.now += OUTBOX_LEASE_SECONDS + 1
    assert await service.resend_pending("telegram", Recorder()) == 2
    assert _backlog() == 0
