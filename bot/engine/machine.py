"""One shared transitions.Machine per flow, built at load and used by every session.

The machine is the flow's definition (lint, diagrams and tests read it). Per turn the engine
does not fire events through it: `Moves` reads the machine's transitions once, after the last
one is added, into a table by (state, trigger), and a turn applies the matching entry to the
session directly. Firing an event through `transitions` cost about a tenth of a turn's CPU
(event objects, callback resolution, logging calls); the table gives the same outcome in a few µs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from transitions import EventData, Machine, State, Transition

from bot.engine.flow import BACK, SPECIAL_ROLES, Check, Flow, Route
from bot.engine.registry import Action, ActionContext, Condition, actions, conditions
from bot.errors import FlowError
from bot.types import Session

logging.getLogger("transitions").setLevel(logging.WARNING)  # its INFO logs cost ~40% of a turn
SUBMIT = "_submit"  # a multi-select or a free-text answer was given


def goto(role: str) -> str:
    return f"_goto_{role}"


class _SessionCondition:
    """A condition named in the YAML as a transitions callback (`unless:` negates it); `fn` and
    `negated` are read by `Moves`."""

    __slots__ = ("fn", "negated")

    def __init__(self, check: Check) -> None:
        self.fn: Condition = conditions[check.name]
        self.negated = check.negated

    def __call__(self, event: EventData) -> bool:
        return self.fn(cast(Session, event.model)) != self.negated


class _SessionAction:
    """A registered action as a transitions callback; `fn` is read by `Moves`."""

    __slots__ = ("fn",)

    def __init__(self, name: str) -> None:
        self.fn: Action = actions[name]

    def __call__(self, event: EventData) -> None:
        self.fn(cast(Session, event.model), event.kwargs["ctx"])


def _condition(check: Check) -> _SessionCondition:
    return _SessionCondition(check)


def _action(name: str) -> _SessionAction:
    return _SessionAction(name)


def _resolve(kind: str, names: set[str], known: set[str], origin: str) -> None:
    unknown = names - known
    if unknown:
        raise FlowError(f"{origin}: unknown {kind} {sorted(unknown)}")


def build_machine(flow: Flow) -> Machine:
    states = []
    for spec in flow.states.values():
        _resolve("action", set(spec.enter), actions.names(), spec.origin)
        states.append(State(spec.name, on_enter=[_action(a) for a in spec.enter]))
    machine = Machine(
        model=None,
        states=states,
        initial=flow.roles["start"],
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=True,
    )
    for spec in flow.states.values():
        for option in spec.options:
            _resolve("action", set(option.actions), actions.names(), spec.origin)
            _add_routes(machine, option.id, spec.name, option.routes or spec.routes, option.actions)
        if spec.multi or spec.input:
            _add_routes(machine, SUBMIT, spec.name, spec.routes, ())
    for role in SPECIAL_ROLES + tuple(r for r in flow.roles if r not in SPECIAL_ROLES):
        machine.add_transition(goto(role), "*", flow.roles[role])  # any declared role is a goto
    return machine


def _add_routes(
    machine: Machine, trigger: str, source: str, routes: tuple[Route, ...], names: tuple[str, ...]
) -> None:
    callbacks: list[str | Callable[..., bool | None]] = [_action(n) for n in names]
    if not routes:  # an option that only acts (e.g. marks evidence) and stays
        machine.add_transition(trigger, source, None, before=callbacks)
    for route in routes:
        dest = None if route.to == BACK else route.to
        guard: list[str | Callable[..., bool | None]] = []
        if route.condition is not None:
            if route.condition.name not in conditions:
                raise FlowError(f"state {source!r}: unknown condition {route.condition.name!r}")
            guard = [_condition(route.condition)]
        machine.add_transition(trigger, source, dest, conditions=guard, before=callbacks)


def fire(machine: Machine, trigger: str, session: Session, ctx: ActionContext) -> bool:
    """Fire through `transitions` itself: the reference `Moves` must agree with."""
    event: Any = machine.events.get(trigger)
    if event is None:
        return False
    return bool(event.trigger(session, ctx=ctx))


@dataclass(frozen=True, slots=True)
class _Move:
    """One transition resolved: fires when every condition gives its target, runs `before`,
    then (unless internal) sets the state and runs the destination's `enter` actions."""

    checks: tuple[tuple[Condition, bool], ...]
    before: tuple[Action, ...]
    dest: str | None
    enter: tuple[Action, ...]

    def apply(self, session: Session, ctx: ActionContext) -> bool:
        for check, target in self.checks:
            if check(session) != target:
                return False
        for action in self.before:
            action(session, ctx)
        if self.dest is not None:
            session.state = self.dest
            for action in self.enter:
                action(session, ctx)
        return True


class Moves:
    """The machine's transitions as a table by (state, trigger), applied without firing events.

    Only transitions made of this module's callbacks are tabled; any other (a callback given by
    name, `prepare`/`after` hooks, exit callbacks, machine-wide hooks) is fired through the
    machine, so the outcome is always the machine's own.
    """

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self._table: dict[tuple[str, str], tuple[_Move, ...] | None] = {}
        hooked = any(getattr(machine, name) for name in _MACHINE_HOOKS)
        for trigger, event in machine.events.items():
            for source, transitions in event.transitions.items():
                moves = None if hooked else _resolve_moves(machine, transitions)
                self._table[(source, trigger)] = moves

    def fire(self, trigger: str, session: Session, ctx: ActionContext) -> bool:
        key = (session.state, trigger)
        if key not in self._table:
            return False  # as the machine: ignore_invalid_triggers
        moves = self._table[key]
        if moves is None:
            return fire(self.machine, trigger, session, ctx)
        return any(move.apply(session, ctx) for move in moves)


_MACHINE_HOOKS = (
    "prepare_event",
    "before_state_change",
    "after_state_change",
    "finalize_event",
    "on_exception",
    "on_final",
)


def _resolve_moves(machine: Machine, transitions: list[Transition]) -> tuple[_Move, ...] | None:
    moves = []
    for transition in transitions:
        if transition.prepare or transition.after:
            return None
        checks = []
        for condition in transition.conditions:
            if not isinstance(condition.func, _SessionCondition):
                return None
            checks.append((condition.func.fn, bool(condition.target) != condition.func.negated))
        before = _session_actions(transition.before)
        enter: tuple[Action, ...] | None = ()
        if transition.dest:
            source, dest = machine.get_state(transition.source), machine.get_state(transition.dest)
            enter = _session_actions(dest.on_enter)
            if source.on_exit or dest.final:
                return None
        if before is None or enter is None:
            return None
        moves.append(_Move(tuple(checks), before, transition.dest or None, enter))
    return tuple(moves)


def _session_actions(callbacks: list[Any]) -> tuple[Action, ...] | None:
    if not all(isinstance(c, _SessionAction) for c in callbacks):
        return None
    return tuple(c.fn for c in callbacks)
