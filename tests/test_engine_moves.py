"""The engine's table of moves gives exactly what firing the event through `transitions` gives."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from transitions import Machine

from bot.benchmarks.conversation import SCRIPT, message
from bot.engine.engine import Engine
from bot.engine.machine import Moves, fire
from bot.engine.registry import ActionContext
from bot.types import Inbound, Session


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def _sessions(engine: Engine) -> Iterator[Session]:
    """Sessions with the answers a real conversation builds up, one after each turn."""
    session = engine.new_session("test:moves", None, 1.0)
    yield copy.deepcopy(session)
    for number in range(len(SCRIPT)):
        engine.step(session, Inbound("test:moves", message(number, 0)), 2.0 + number)
        if number % 3 == 0:
            yield copy.deepcopy(session)


def _outcome(session: Session, fired: bool) -> tuple[object, ...]:
    return fired, session.state, session.answers, session.history


def test_every_move_matches_the_machine(engine: Engine) -> None:
    samples = list(_sessions(engine))
    compared = 0
    pairs = [(s, t) for t, event in engine.machine.events.items() for s in event.transitions]
    for state, trigger in pairs:
        ctx = ActionContext(None if trigger.startswith("_") else trigger, 50_000.0, engine.flow)
        for sample in samples:
            ours, theirs = copy.deepcopy(sample), copy.deepcopy(sample)
            ours.state = theirs.state = state
            by_table = engine.moves.fire(trigger, ours, ctx)
            by_machine = fire(engine.machine, trigger, theirs, ctx)
            assert _outcome(ours, by_table) == _outcome(theirs, by_machine), (state, trigger)
            compared += 1
    assert compared > 1_000


def test_an_unknown_trigger_is_ignored_like_the_machine(engine: Engine) -> None:
    session = engine.new_session("test:moves", None, 1.0)
    assert engine.moves.fire("no_such_trigger", session, ActionContext(None, 1.0, engine.flow)) is False
    assert session.state == engine.start


def test_a_callback_the_table_cannot_read_goes_through_the_machine(engine: Engine) -> None:
    """A transition with an `after` hook is not tabled: the machine fires it, hook and all."""
    heard: list[str] = []
    machine = Machine(
        model=None,
        states=["a", "b"],
        initial="a",
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=True,
    )
    machine.add_transition("go", "a", "b", after=[lambda event: heard.append(event.model.state)])
    moves = Moves(machine)
    session = Session(user_key="test:hook", state="a", lang="en")
    assert moves.fire("go", session, ActionContext(None, 1.0, engine.flow)) is True
    assert session.state == "b" and heard == ["b"]
