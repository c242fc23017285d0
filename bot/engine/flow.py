"""The dialogue flow as data: dialogs/*.yaml parsed and validated into frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import FlowError
from bot.yamlfile import load_yaml, where

STAGES = (
    "welcome", "harassment", "lender", "evidence", "channels",
    "negotiation", "summary", "crisis", "help",
)  # fmt: skip
BACK = "$back"  # a `next` that returns to the previous state
INPUT_KINDS = ("text", "money", "int", "date", "term")
SPECIAL_ROLES = (
    "start", "crisis", "danger", "help", "summary", "language", "delete", "human", "idle",
    "screen", "scam_victim",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Route:
    to: str
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class OptionSpec:
    id: str
    label: str  # locale key
    routes: tuple[Route, ...]  # empty: the state's own `next`
    actions: tuple[str, ...] = ()
    when: str | None = None  # shown only when this condition holds
    exclusive: bool = False  # in a multi-select, this option excludes the others


@dataclass(frozen=True, slots=True)
class InputSpec:
    slot: str
    kind: str
    max_len: int = 200


@dataclass(frozen=True, slots=True)
class SayItem:
    key: str = ""  # a locale key …
    view: str | None = None  # … or a registered view that computes text
    condition: str | None = None


@dataclass(frozen=True, slots=True)
class StateSpec:
    name: str
    stage: str
    prompt: str | None
    say: tuple[SayItem, ...]
    options: tuple[OptionSpec, ...]
    routes: tuple[Route, ...]  # after a multi-select or a free-text answer
    slot: str | None = None  # answers key that keeps the chosen option id(s)
    multi: bool = False  # several options may be chosen at once
    input: InputSpec | None = None
    enter: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()
    origin: str = ""
    unclear: str | None = None  # locale key said instead of "not understood" (the crisis screens)


@dataclass(frozen=True, slots=True)
class Flow:
    states: dict[str, StateSpec]
    roles: dict[str, str]  # special role -> state name
    commands: dict[str, tuple[str, ...]]  # command -> spellings
    guards: dict[str, dict[str, tuple[str, ...]]]  # guard -> {"phrases": …, "except": …}
    menus: dict[str, Any] = field(default_factory=dict)  # surface -> raw `menus:` entry; see menu()

    def state(self, name: str) -> StateSpec:
        return self.states[name]


def load_flow(root: Path) -> Flow:
    states: dict[str, StateSpec] = {}
    roles: dict[str, str] = {}
    commands: dict[str, tuple[str, ...]] = {}
    guards: dict[str, dict[str, tuple[str, ...]]] = {}
    menus: dict[str, Any] = {}
    for path in sorted(root.glob("*.yaml")):
        doc = load_yaml(path) or {}
        if not isinstance(doc, dict):
            raise FlowError(f"{path}: expected a mapping at the top")
        for name, raw in (doc.get("states") or {}).items():
            if name == "__line__":
                continue
            if name in states:
                raise FlowError(f"{where(path, raw)}: state {name!r} is defined twice")
            states[name] = _state(path, name, raw)
        for role, target in (doc.get("roles") or {}).items():
            if role != "__line__":
                roles[role] = str(target)
        for command, spellings in (doc.get("commands") or {}).items():
            if command != "__line__":
                commands[command] = tuple(str(s) for s in spellings)
        for guard, raw in (doc.get("guards") or {}).items():
            if guard != "__line__":
                guards[guard] = {
                    "phrases": tuple(raw.get("phrases") or ()),
                    "except": tuple(raw.get("except") or ()),
                }
        menus.update((doc.get("menus") or {}).items())  # one file's `menus:` (core.yaml)
    flow = Flow(states, roles, commands, guards, menus)
    _check_references(flow)
    return flow


def _routes(path: Path, node: Any, raw: Any) -> tuple[Route, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (Route(raw),)
    if isinstance(raw, list):
        routes = []
        for item in raw:
            if not isinstance(item, dict) or "to" not in item:
                raise FlowError(f"{where(path, node)}: each route needs `to:` (and maybe `if:`)")
            routes.append(Route(str(item["to"]), item.get("if")))
        return tuple(routes)
    raise FlowError(f"{where(path, node)}: `next` must be a state name or a list of routes")


def _names(path: Path, node: Any, key: str) -> tuple[str, ...]:
    value = node.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FlowError(f"{where(path, node)}: `{key}` must be a list of names")
    return tuple(value)


def _state(path: Path, name: str, raw: Any) -> StateSpec:
    if not isinstance(raw, dict):
        raise FlowError(f"{path}: state {name!r} must be a mapping")
    known = {"stage", "prompt", "say", "options", "next", "slot", "multi", "input", "enter", "effects",
             "unclear"}
    unknown = set(raw) - known - {"__line__"}
    if unknown:
        raise FlowError(f"{where(path, raw)}: state {name!r}: unknown keys {sorted(unknown)}")
    stage = raw.get("stage")
    if stage not in STAGES:
        raise FlowError(f"{where(path, raw)}: state {name!r}: stage must be one of {STAGES}")
    options = tuple(_option(path, name, o) for o in raw.get("options") or ())
    ids = [o.id for o in options]
    if len(ids) != len(set(ids)):
        raise FlowError(f"{where(path, raw)}: state {name!r} repeats an option id")
    spec_input = None
    if raw.get("input") is not None:
        node = raw["input"]
        if not isinstance(node, dict) or node.get("kind", "text") not in INPUT_KINDS:
            raise FlowError(f"{where(path, raw)}: `input` needs slot and kind in {INPUT_KINDS}")
        spec_input = InputSpec(str(node["slot"]), node.get("kind", "text"), int(node.get("max", 200)))
    say = tuple(_say(path, raw, item) for item in raw.get("say") or ())
    prompt = raw.get("prompt", f"{name}.prompt")
    return StateSpec(
        name=name,
        stage=stage,
        prompt=prompt,
        say=say,
        options=options,
        routes=_routes(path, raw, raw.get("next")),
        slot=raw.get("slot"),
        multi=bool(raw.get("multi", False)),
        input=spec_input,
        enter=_names(path, raw, "enter"),
        effects=_names(path, raw, "effects"),
        origin=where(path, raw),
        unclear=raw.get("unclear"),
    )


def _say(path: Path, state: Any, item: Any) -> SayItem:
    if isinstance(item, str):
        return SayItem(key=item)
    if isinstance(item, dict) and ("key" in item or "view" in item):
        return SayItem(key=item.get("key", ""), view=item.get("view"), condition=item.get("if"))
    raise FlowError(f"{where(path, state)}: `say` items are keys or {{key|view, if}} mappings")


def _option(path: Path, state: str, raw: Any) -> OptionSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise FlowError(f"{path}: state {state!r}: every option needs an `id`")
    return OptionSpec(
        id=raw["id"],
        label=raw.get("label", f"{state}.{raw['id']}"),
        routes=_routes(path, raw, raw.get("next")),
        actions=_names(path, raw, "do"),
        when=raw.get("when"),
        exclusive=bool(raw.get("exclusive", False)),
    )


def _check_references(flow: Flow) -> None:
    for role in SPECIAL_ROLES + tuple(flow.roles):
        if flow.roles.get(role) not in flow.states:
            raise FlowError(f"dialogs: role {role!r} must name an existing state")
    for state in flow.states.values():
        route_lists = [state.routes] + [o.routes for o in state.options]
        for routes in route_lists:
            if routes and routes[-1].condition is not None:
                raise FlowError(f"{state.origin}: {state.name!r}: the last route needs no `if`")
        for option in state.options:
            if option.id.startswith("_"):
                raise FlowError(f"{state.origin}: option ids may not start with '_'")
        targets = [r.to for r in state.routes] + [r.to for o in state.options for r in o.routes]
        for target in targets:
            if target != BACK and target not in flow.states:
                raise FlowError(f"{state.origin}: state {state.name!r} goes to unknown {target!r}")
        if state.multi and not state.slot:
            raise FlowError(f"{state.origin}: multi-select {state.name!r} needs a `slot`")
        if not state.options and not state.input and state.routes:
            raise FlowError(f"{state.origin}: {state.name!r} has `next` but nothing to answer")


MenuGroups = tuple[tuple[str, tuple[str, ...]], ...]


def menu(flow: Flow, surface: str) -> MenuGroups:
    """What a surface (telegram, wechat, console) lists, from the flow's `menus:` section: its
    groups in order, each (group name, commands as typed: each command's first spelling, "/lang").
    A plain list is one group named after the surface. The one source for every command menu."""
    raw = flow.menus.get(surface) if surface != "__line__" else None
    if raw is None:
        raise FlowError(f"dialogs: no menu for {surface!r} under `menus:`")
    groups = raw.items() if isinstance(raw, dict) else [(surface, raw)]
    result: list[tuple[str, tuple[str, ...]]] = []
    for group, names in groups:
        if group == "__line__":
            continue
        if not isinstance(names, list) or not names:
            raise FlowError(f"dialogs: menu {surface}.{group} must list commands")
        unknown = [str(name) for name in names if name not in flow.commands or not flow.commands[name]]
        if unknown:
            raise FlowError(f"dialogs: menu {surface}.{group} names unknown commands {unknown}")
        result.append((str(group), tuple(flow.commands[name][0] for name in names)))
    return tuple(result)


def menu_commands(flow: Flow, surface: str) -> tuple[str, ...]:
    """A surface's commands as typed ("/start", …), in menu order, groups flattened."""
    return tuple(command for _, commands in menu(flow, surface) for command in commands)

