"""`weiquan lint --vocabulary`: the names a content editor may use in dialogs/*.yaml, each with
the first line of its docstring, read from the live registries (so the list cannot go stale)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.engine import engine as _engine  # noqa: F401 - importing the engine registers every name
from bot.engine.flow import INPUT_KINDS
from bot.engine.registry import Registry, actions, conditions, views

UNDESCRIBED = "(no description yet)"


def summary(fn: Callable[..., Any]) -> str:
    doc = (fn.__doc__ or "").strip()
    return " ".join(doc.split("\n\n")[0].split()) if doc else UNDESCRIBED


def _section(title: str, registry: Registry[Any]) -> list[str]:
    return [title] + [f"  {name:<30} {summary(registry[name])}" for name in sorted(registry.names())]


def vocabulary() -> str:
    lines = _section(
        "Conditions (`if:`, `unless:` on routes and say items; `when:`, `unless:` on options)", conditions
    )
    lines += ["", *_section("Actions (`do:` on options, `enter:` on states)", actions)]
    lines += ["", *_section("Views (`say: - view: …`)", views)]
    lines += ["", "Input kinds (`input: {slot: …, kind: …}`)"]
    lines += [f"  {kind:<30} {text}" for kind, text in INPUT_KINDS.items()]
    return "\n".join(lines)
