"""`weiquan lint`: the dialogs and locales checked together; every problem on its own line."""

from __future__ import annotations

import string
from collections import deque
from pathlib import Path

from bot.config import content_dir
from bot.engine.engine import Engine
from bot.engine.faq import load_table
from bot.engine.flow import BACK, INPUT_KINDS, Flow, load_flow
from bot.engine.i18n import DEFAULT_LANG, I18n, placeholders
from bot.engine.registry import actions, conditions, views
from bot.errors import FlowError
from bot.flow_schema import check_schema

TERMINAL_EFFECTS = {"deleted"}  # a state that ends the conversation on purpose
ENGINE_KEYS = (
    "common.not_understood",
    "common.choose_one",
    "common.multi_hint",
    "common.error",
    "common.gentle",
    "confirm_restart.done",
    "offer.faq.prompt",
    "offer.faq.none",
    "offer.lang.prompt",
    "offer.lang.switch",
    "offer.lang.stay",
    "offer.lang.switched",
    "offer.date.prompt",
    "offer.date.confirm",
    "offer.date.cancel",
    "offer.date.again",
)


def required_keys(flow: Flow) -> dict[str, str]:
    """Every locale key the flow uses, with where it is used."""
    keys: dict[str, str] = {k: "engine" for k in ENGINE_KEYS}
    keys.update({f"input.invalid.{kind}": "engine" for kind in INPUT_KINDS})
    keys.update({f"guard.{g}": "dialogs guards" for g in flow.guards if g not in ("crisis", "danger")})
    for state in flow.states.values():
        if state.prompt:
            keys[state.prompt] = state.origin
        for item in state.say:
            if item.key:
                keys[item.key] = state.origin
        for option in state.options:
            keys[option.label] = state.origin
    return keys


def check_flow(flow: Flow) -> list[str]:
    problems = []
    for state in flow.states.values():
        names = [r.condition for r in state.routes] + [o.when for o in state.options]
        names += [r.condition for o in state.options for r in o.routes]
        names += [s.condition for s in state.say]
        for check in filter(None, names):
            if check.name not in conditions:
                problems.append(f"{state.origin}: unknown condition {check.name!r}")
        for name in [a for o in state.options for a in o.actions] + list(state.enter):
            if name not in actions:
                problems.append(f"{state.origin}: unknown action {name!r}")
        for item in state.say:
            if item.view and item.view not in views:
                problems.append(f"{state.origin}: unknown view {item.view!r}")
        answerable = state.options or state.input
        if not answerable and not TERMINAL_EFFECTS & set(state.effects):
            problems.append(f"{state.origin}: dead end: {state.name!r} offers nothing to answer")
        if state.input and not state.routes:
            problems.append(f"{state.origin}: {state.name!r} takes text but has no `next`")
        for option in state.options:
            if not option.routes and not state.routes and not option.actions:
                problems.append(f"{state.origin}: option {option.id!r} leads nowhere")
    problems += [f"unreachable state {name!r}" for name in sorted(_unreachable(flow))]
    return problems


def _unreachable(flow: Flow) -> set[str]:
    seen = set(flow.roles.values())  # every role is reachable from anywhere (a command or guard)
    todo = deque(seen)
    while todo:
        state = flow.states[todo.popleft()]
        targets = [r.to for r in state.routes] + [r.to for o in state.options for r in o.routes]
        for target in targets:
            if target != BACK and target not in seen:
                seen.add(target)
                todo.append(target)
    return set(flow.states) - seen


def check_locales(flow: Flow, i18n: I18n) -> list[str]:
    problems = []
    reference = i18n.catalogs[DEFAULT_LANG]
    for key, where in required_keys(flow).items():
        for lang, catalog in i18n.catalogs.items():
            if key not in catalog:
                problems.append(f"{where}: locale {lang} is missing key {key!r}")
    for lang, catalog in i18n.catalogs.items():
        for key in sorted(set(reference) - set(catalog)):
            problems.append(f"locales/{lang}: missing key {key!r} (present in {DEFAULT_LANG})")
        for key in sorted(set(catalog) - set(reference)):
            problems.append(f"{i18n.origins[f'{lang}:{key}']}: extra key {key!r} (not in {DEFAULT_LANG})")
        for key, template in catalog.items():
            origin = i18n.origins[f"{lang}:{key}"]
            try:
                list(string.Formatter().parse(template))
            except ValueError as exc:
                problems.append(f"{origin}: bad placeholder in {key!r}: {exc}")
                continue
            if key in reference and lang != DEFAULT_LANG:
                try:
                    expected = placeholders(reference[key])
                except ValueError:
                    continue
                if placeholders(template) != expected:
                    problems.append(f"{origin}: {key!r} placeholders differ from {DEFAULT_LANG}")
    return problems


def check_faq(path: Path, flow: Flow, i18n: I18n) -> list[str]:
    """Every FAQ intent has its title and answer, and its jump a real state with a label."""
    if not path.is_file():
        return []
    problems = []
    for intent in load_table(path).intents.values():
        keys = [f"faq.{intent.id}.title", f"faq.{intent.id}.answer"]
        if intent.jump:
            keys.append(f"faq.jump.{intent.jump}")
            if intent.jump not in flow.states:
                problems.append(f"{path}: {intent.id!r} jumps to unknown state {intent.jump!r}")
        for guard in intent.covers:
            if guard not in flow.guards:
                problems.append(f"{path}: {intent.id!r} covers unknown guard {guard!r}")
        for lang, catalog in i18n.catalogs.items():
            problems += [f"{path}: locale {lang} is missing key {k!r}" for k in keys if k not in catalog]
    return problems


def lint(dialogs: Path | None = None, locales: Path | None = None) -> list[str]:
    dialogs = dialogs or content_dir("dialogs")
    shape = check_schema(dialogs)
    if shape:  # the loader's own errors would be less precise about a malformed file
        return shape
    try:
        flow = load_flow(dialogs)
        i18n = I18n.load(locales or content_dir("locales"))
        problems = check_flow(flow) + check_locales(flow, i18n) + check_faq(dialogs / "faq.yaml", flow, i18n)
    except FlowError as exc:
        return [str(exc)]
    if not problems:
        try:
            Engine(flow, i18n)  # building the shared machine is the last check
        except FlowError as exc:
            problems.append(str(exc))
    return problems
