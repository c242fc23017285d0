"""One shared transitions.Machine per flow, built at load and used by every session.

Per turn the engine puts the session's stored state on the session object and fires the event
on this machine (`model=None`): no per-user machines, no add_model/remove_model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from transitions import EventData, Machine, State

from bot.engine.flow import BACK, SPECIAL_ROLES, Check, Flow, Route
from bot.engine.registry import Action, ActionContext, Condition, actions, conditions
from bot.errors import FlowError
from bot.types import Session

logging.getLogger("transitions").setLevel(logging.WARNING)  # its INFO logs cost ~40% of a turn
SUBMIT = "_submit"  # a multi-select or a free-text answer was given


def goto(role: str) -> str:
    return f"_goto_{role}"


def _condition(check: Check) -> Callable[..., bool]:
    fn: Condition = conditions[check.name]
    negated = check.negated
    return lambda event: fn(cast(Session, event.model)) != negated


def _action(name: str) -> Callable[..., None]:
    fn: Action = actions[name]

    def run(event: EventData) -> None:
        ctx: ActionContext = event.kwargs["ctx"]
        fn(cast(Session, event.model), ctx)

    return run


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
    event: Any = machine.events.get(trigger)
    if event is None:
        return False
    return bool(event.trigger(session, ctx=ctx))
