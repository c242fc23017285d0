"""Many updates at once through Service.handle, on SQLite and PostgreSQL (same test functions).

One chat: every update answered exactly once, in the order sent, version +1 per update.
Many chats: they proceed together, each in its own order, and end in a consistent state.
"""

# ruff: noqa: F811 - pytest fixtures imported from store_backends are redefined as parameters
from __future__ import annotations

import asyncio
import time

from store_backends import backend_settings, engine, service  # noqa: F401 - fixtures

from bot.service import Service
from bot.types import Inbound, TurnResult

UPDATES = 40


def _report(label: str, count: int, seconds: float) -> None:
    print(f"\n{label}: {count} updates in {seconds:.3f}s = {count / seconds:.0f} updates/s")


async def test_forty_concurrent_updates_for_one_chat_are_answered_once_in_order(
    service: Service,
) -> None:
    user = "telegram:1001"
    texts = ["/start"] + [f"note {n:02d}" for n in range(1, UPDATES)]
    started = time.perf_counter()
    results = await asyncio.gather(
        *(service.handle(Inbound(user, text=t, message_id=str(500 + n))) for n, t in enumerate(texts))
    )
    _report("one chat", UPDATES, time.perf_counter() - started)

    assert not any(r.duplicate for r in results)
    outbox_ids = [r.outbox_id for r in results]
    assert all(isinstance(i, int) for i in outbox_ids)
    assert outbox_ids == sorted(outbox_ids) and len(set(outbox_ids)) == UPDATES  # type: ignore[type-var]
    assert [t["in"] for t in service.store.transcript(user)] == texts  # each once, in order
    session = service.session(user)
    assert session is not None and session.version == UPDATES
    pending = service.store.pending_outbox("telegram", limit=1000)
    assert [p[0] for p in pending] == outbox_ids  # every reply is waiting to be sent, once


async def test_forty_chats_in_parallel_each_keep_their_order(service: Service) -> None:
    script: list[tuple[str, Inbound]] = []
    for chat in range(UPDATES):
        user = f"telegram:{2000 + chat}"
        script += [
            ("welcome", Inbound(user, text="/start", message_id=f"{chat}-1")),
            ("h_contacted", Inbound(user, option_ids=("self",), message_id=f"{chat}-2")),
            ("welcome", Inbound(user, text="/back", message_id=f"{chat}-3")),
        ]
    # interleave: first message of every chat, then every second one, then every third one
    ordered = [script[i] for step in range(3) for i in range(step, len(script), 3)]
    started = time.perf_counter()
    results: list[TurnResult] = await asyncio.gather(*(service.handle(i) for _, i in ordered))
    _report("forty chats", len(ordered), time.perf_counter() - started)

    assert [r.outbound.state for r in results] == [state for state, _ in ordered]
    for chat in range(UPDATES):
        user = f"telegram:{2000 + chat}"
        session = service.session(user)
        assert session is not None
        assert (session.state, session.version, session.history) == ("welcome", 3, [])
        assert [t["in"] for t in service.store.transcript(user)] == ["/start", ["self"], "/back"]


async def test_one_update_delivered_many_times_at_once_steps_once(service: Service) -> None:
    user = "telegram:3001"
    await service.handle(Inbound(user, text="/start", message_id="1"))
    twice = Inbound(user, option_ids=("self",), message_id="2")
    results = await asyncio.gather(*(service.handle(twice) for _ in range(10)))

    assert [r.duplicate for r in results] == [False] + [True] * 9
    assert {r.outbound.text for r in results} == {results[0].outbound.text}  # the recorded reply
    assert all(r.outbox_id is None for r in results[1:])
    session = service.session(user)
    assert session is not None and session.version == 2
    assert len(service.store.transcript(user)) == 2


def test_hostile_text_is_bounded_and_stored(service: Service) -> None:
    user = "telegram:3002"
    hostile = "\ud800 lone surrogate \x00\x1b[31m bell\x07 " + "长" * 20_000
    result = service.handle_sync(Inbound(user, text=hostile, message_id="h1"))
    assert result.outbound.messages
    stored = service.store.transcript(user)[0]["in"]
    assert "\x00" not in stored and "\x1b" not in stored and "\ud800" not in stored
    assert len(stored) <= 4000
    many_options = tuple(f"opt{n}" * 40 for n in range(500))
    again = service.handle_sync(Inbound(user, option_ids=many_options, message_id="h2"))
    assert again.outbound.messages  # not understood: a re-prompt, never a crash
