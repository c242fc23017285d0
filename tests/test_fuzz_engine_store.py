"""Hypothesis walks random paths with random input through the real engine on a real SQLite store.

After every message: no exception (an engine error would show as the apology with no version
bump), a way on (options or a text question), version + 1 per turn; /back returns to the
previous state, /restart (once confirmed) to the start, a self-harm phrase reaches crisis from anywhere.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.types import Inbound, Outbound

COMMANDS = [
    "/start",
    "/help",
    "/back",
    "/restart",
    "/summary",
    "/lang",
    "/human",
    "/delete",
    "帮助",
    "返回",
    "重新开始",
    "总结",
    "语言",
    "人工",
    "删除我的数据",
]
CRISIS = ["我不想活了", "真的活不下去了", "I want to kill myself", "想自杀"]
JUNK = st.text(st.characters(codec=None, exclude_categories=()), max_size=300) | st.sampled_from(
    [
        "",
        " ",
        "1 3 5",
        "1,3,5",
        "１、３",
        "99",
        "-1",
        "0",
        "１０００元",
        "<b>x</b>",
        "'; DROP TABLE x;--",
        "\u202e\u200b",
        "\x00\x1b",
        "🙂" * 50,
        "a" * 5000,
    ]
)
T0 = 1_800_000_000.0


class Clock:
    now = T0

    def __call__(self) -> float:
        return self.now


_shared: dict[str, object] = {}


def shared_service() -> tuple[Service, Clock]:
    """One store for every example (a new user each time): migrations run once."""
    if "service" not in _shared:
        data = Path(tempfile.mkdtemp(prefix="weiquan-fuzz-"))
        environ = {
            "WEIQUAN_DATA_DIR": str(data),
            "WEIQUAN_DATA_KEY": "fuzz-key",
            "WEIQUAN_DATABASE_URL": f"sqlite:///{data / 'fuzz.sqlite'}",
        }
        clock = Clock()
        _shared["clock"] = clock
        _shared["service"] = Service.open(Settings.load(environ), engine=Engine.load(), clock=clock)
    return _shared["service"], _shared["clock"]  # type: ignore[return-value]


class Conversation(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.service, self.clock = shared_service()
        self.clock.now = T0  # each example starts at the same time: replays must be identical
        self.engine = self.service.engine
        self.user = f"telegram:{uuid.uuid4().int % 10**12}"
        self.messages = 0
        self.last: Outbound | None = None

    def send(self, text: str = "", option_ids: tuple[str, ...] = ()) -> Outbound:
        before = self.service.session(self.user)
        self.messages += 1
        result = self.service.handle_sync(
            Inbound(self.user, text=text, option_ids=option_ids, message_id=f"{self.user}:{self.messages}")
        )
        assert not result.duplicate
        reply = result.outbound
        after = self.service.session(self.user)
        if "deleted" in reply.effects:
            assert after is None
        else:
            assert after is not None
            assert after.version == (before.version if before else 0) + 1, "a turn failed"
            assert after.state == reply.state
        assert reply.messages and all(isinstance(m.text, str) for m in reply.messages)
        assert reply.options or any(m.expects_text for m in reply.messages) or ("deleted" in reply.effects), (
            f"dead end at {reply.state}"
        )
        self.last = reply
        return reply

    @rule(n=st.integers(min_value=-2, max_value=15))
    def number(self, n: int) -> None:
        self.send(str(n))

    @rule(data=st.data())
    def press_offered(self, data: st.DataObject) -> None:
        options = self.last.options if self.last else ()
        if options:
            picks = data.draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique=True))
            self.send(option_ids=tuple(o.id for o in picks))

    @rule(data=st.data())
    def type_label(self, data: st.DataObject) -> None:
        options = self.last.options if self.last else ()
        if options:
            self.send(data.draw(st.sampled_from(options)).label)

    @rule(option=st.text(max_size=70))
    def press_stale_or_forged(self, option: str) -> None:
        self.send(option_ids=(option,))

    @rule(text=JUNK)
    def junk(self, text: str) -> None:
        self.send(text)

    @rule(command=st.sampled_from(COMMANDS))
    def command(self, command: str) -> None:
        self.send(command)

    @rule()
    def back(self) -> None:
        before = self.service.session(self.user)
        reply = self.send("/back")
        if before is not None:
            expected = before.history[-1] if before.history else self.engine.start
            assert reply.state == expected

    @rule()
    def restart(self) -> None:
        assert self.send("/restart").state == self.engine.flow.roles["restart"]  # asks first
        assert self.send(option_ids=("confirm",)).state == self.engine.start

    @rule(text=st.sampled_from(CRISIS))
    def crisis(self, text: str) -> None:
        assert self.send(text).state == self.engine.flow.roles["crisis"]

    @rule(hours=st.sampled_from([1, 23, 25, 24 * 40]))
    def time_passes(self, hours: int) -> None:
        self.clock.now += hours * 3600

    @invariant()
    def history_is_bounded(self) -> None:
        session = self.service.session(self.user) if hasattr(self, "service") else None
        assert session is None or len(session.history) <= 50


Conversation.TestCase.settings = settings(
    max_examples=150,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestConversation = Conversation.TestCase


@pytest.fixture(scope="module", autouse=True)
def shared_store_closed_after_the_module() -> Iterator[None]:
    """Closes the one store the examples share, once every test here has run, in any order."""
    yield
    service = _shared.pop("service", None)
    if isinstance(service, Service):
        service.close()
