"""The dialogue flow as data: dialogs/*.yaml parsed and validated into frozen values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import FlowError
from bot.yamlfile import load_yaml, where

BACK = "$back"  # a `next` that returns to the previous state
INPUT_KINDS = {  # what a state's `input: kind:` accepts (its refusal text: input.invalid.<kind>)
    "text": "Any text, up to the input's `max` characters (200 if not given).",
    "code": "A code or reference number, kept as typed and never read as a question.",
    "money": "An amount of yuan: 3000, 3,000, 3k, 3千, 三千, 1.2万.",
    "int": "A whole number in digits: 12.",
    "date": "A day: 2026-10-01, 10月1日, 上周一, yesterday.",
    "term": "A loan's length in months: 12, 12期, 一年, 6 months.",
}
SPECIAL_ROLES = (
    "start",
    "crisis",
    "danger",
    "help",
    "summary",
    "language",
    "delete",
    "human",
    "idle",
    "screen",
    "scam_victim",
)


@dataclass(frozen=True, slots=True)
class Check:
    """A condition named in the YAML: `if:` or `when:` hold when it is true, `unless:` when false,
    so no condition needs a `not_…` twin in code."""

    name: str
    negated: bool = False

    def __str__(self) -> str:
        return f"unless {self.name}" if self.negated else self.name


@dataclass(frozen=True, slots=True)
class Route:
    to: str
    condition: Check | None = None


@dataclass(frozen=True, slots=True)
class OptionSpec:
    id: str
    label: str  # locale key
    routes: tuple[Route, ...]  # empty: the state's own `next`
    actions: tuple[str, ...] = ()
    when: Check | None = None  # shown only when this holds
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
    condition: Check | None = None


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
    # A detour the user opens from anywhere (/reminders, /move …) and leaves as one: its states
    # are unwound from the history together.
    subflow: str | None = None
    unclear: str | None = None  # locale key said instead of "not understood" (the crisis screens)


@dataclass(frozen=True, slots=True)
class Flow:
    stages: tuple[str, ...]  # the parts of a conversation, in order (`stages:` in the YAML)
    states: dict[str, StateSpec]
    roles: dict[str, str]  # special role -> state name
    commands: dict[str, tuple[str, ...]]  # command -> spellings
    guards: dict[str, dict[str, tuple[str, ...]]]  # guard -> {"phrases": …, "except": …}
    menus: dict[str, Any] = field(default_factory=dict)  # surface -> raw `menus:` entry; see menu()

    def state(self, name: str) -> StateSpec:
        return self.states[name]

    def in_subflow(self, name: str) -> bool:
        spec = self.states.get(name)
        return spec is not None and spec.subflow is not None


def load_flow(root: Path) -> Flow:
    stages: list[str] = []
    states: dict[str, StateSpec] = {}
    roles: dict[str, str] = {}
    commands: dict[str, tuple[str, ...]] = {}
    guards: dict[str, dict[str, tuple[str, ...]]] = {}
    menus: dict[str, Any] = {}
    for path in sorted(root.glob("*.yaml")):
        doc = load_yaml(path) or {}
        if not isinstance(doc, dict):
            raise FlowError(f"{path}: expected a mapping at the top")
        stages += _names(path, doc, "stages")
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
    flow = Flow(tuple(stages), states, roles, commands, guards, menus)
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
                raise FlowError(f"{where(path, node)}: each route needs `to:` (and maybe `if:` or `unless:`)")
            routes.append(Route(str(item["to"]), _check(path, item, "if")))
        return tuple(routes)
    raise FlowError(f"{where(path, node)}: `next` must be a state name or a list of routes")


def _check(path: Path, node: dict[str, Any], key: str) -> Check | None:
    """`key:` (`if` or `when`) names a condition that must hold; `unless:` one that must not."""
    positive, negative = node.get(key), node.get("unless")
    if positive is not None and negative is not None:
        raise FlowError(f"{where(path, node)}: `{key}:` and `unless:` together: keep one")
    name = negative if positive is None else positive
    if name is None:
        return None
    if not isinstance(name, str):
        raise FlowError(f"{where(path, node)}: `{key}:`/`unless:` takes one condition name")
    return Check(name, negated=positive is None)


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
    known = {
        "stage",
        "subflow",
        "prompt",
        "say",
        "options",
        "next",
        "slot",
        "multi",
        "input",
        "enter",
        "effects",
        "unclear",
    }
    unknown = set(raw) - known - {"__line__"}
    if unknown:
        raise FlowError(f"{where(path, raw)}: state {name!r}: unknown keys {sorted(unknown)}")
    stage = raw.get("stage")
    if not isinstance(stage, str):
        raise FlowError(f"{where(path, raw)}: state {name!r} needs a `stage:`")
    subflow = raw.get("subflow")
    if subflow is not None and not isinstance(subflow, str):
        raise FlowError(f"{where(path, raw)}: state {name!r}: `subflow:` is a name")
    options = tuple(_option(path, name, o) for o in raw.get("options") or ())
    ids = [o.id for o in options]
    if len(ids) != len(set(ids)):
        raise FlowError(f"{where(path, raw)}: state {name!r} repeats an option id")
    spec_input = None
    if raw.get("input") is not None:
        node = raw["input"]
        if not isinstance(node, dict) or node.get("kind", "text") not in INPUT_KINDS:
            raise FlowError(f"{where(path, raw)}: `input` needs slot and kind in {tuple(INPUT_KINDS)}")
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
        subflow=subflow,
    )


def _say(path: Path, state: Any, item: Any) -> SayItem:
    if isinstance(item, str):
        return SayItem(key=item)
    if isinstance(item, dict) and ("key" in item or "view" in item):
        return SayItem(key=item.get("key", ""), view=item.get("view"), condition=_check(path, item, "if"))
    raise FlowError(f"{where(path, state)}: `say` items are keys or {{key|view, if|unless}} mappings")


def _option(path: Path, state: str, raw: Any) -> OptionSpec:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise FlowError(f"{path}: state {state!r}: every option needs an `id`")
    return OptionSpec(
        id=raw["id"],
        label=raw.get("label", f"{state}.{raw['id']}"),
        routes=_routes(path, raw, raw.get("next")),
        actions=_names(path, raw, "do"),
        when=_check(path, raw, "when"),
        exclusive=bool(raw.get("exclusive", False)),
    )


def _check_references(flow: Flow) -> None:
    for role in SPECIAL_ROLES + tuple(flow.roles):
        if flow.roles.get(role) not in flow.states:
            raise FlowError(f"dialogs: role {role!r} must name an existing state")
    if len(set(flow.stages)) != len(flow.stages):
        raise FlowError(f"dialogs: `stages:` repeats a name: {list(flow.stages)}")
    for state in flow.states.values():
        if state.stage not in flow.stages:
            raise FlowError(f"{state.origin}: state {state.name!r}: stage must be one of {list(flow.stages)}")
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
