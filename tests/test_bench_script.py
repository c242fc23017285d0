"""The bench's conversation follows the flow as it stands: every message is understood.

A script that drifted from the flow would measure the "not understood" path instead of a
borrower's conversation (and make the bench look slower or faster than real use).
"""

from __future__ import annotations

import asyncio

from bot.benchmarks.conversation import SCRIPT, message
from bot.config import Settings
from bot.service import Service
from bot.types import Inbound

INVALID = ("text", "money", "int", "date", "term")
REFUSALS = (
    "common.not_understood",
    "common.choose_one",
    "common.error",
    *(f"input.invalid.{k}" for k in INVALID),
)


def test_every_message_of_the_bench_conversation_is_understood(tmp_settings: Settings) -> None:
    service = Service.open(tmp_settings)
    try:
        refusals = {service.engine.i18n.text("zh_CN", key) for key in REFUSALS}

        async def walk() -> list[tuple[str, str, str]]:
            seen = []
            for text in (
                message(turn, 7) for turn in range(2 * len(SCRIPT))
            ):  # twice: the confirmed restart leads into the next round
                reply = (await service.handle(Inbound("bench:walker", text))).outbound
                seen.append((text, reply.state, reply.text))
            return seen

        replies = asyncio.run(walk())
    finally:
        service.close()
    refused = [(text, state) for text, state, said in replies if any(r in said for r in refusals)]
    assert refused == []
    states = [state for _text, state, _said in replies]
    assert "l_figures" in states and "c_step" in states and "summary" in states
    assert states[len(SCRIPT) - 1] == "welcome" and states[-1] == "welcome"
