"""Named registries: the YAML refers to conditions, actions and views by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.engine.flow import Check, Flow
from bot.types import Session

F = TypeVar("F", bound=Callable[..., Any])


class Registry(Generic[F]):
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        def add(fn: F) -> F:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            self._items[name] = fn
            return fn

        return add

    def __getitem__(self, name: str) -> F:
        return self._items[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def names(self) -> set[str]:
        return set(self._items)


@dataclass(frozen=True, slots=True)
class ActionContext:
    option_id: str | None
    now: float
    flow: Flow  # read-only: e.g. which states belong to a sub-flow


Text = Callable[..., str]  # text(key, **params) in the session's language
Condition = Callable[[Session], bool]
Action = Callable[[Session, ActionContext], None]
View = Callable[[Session, Text], str]

conditions: Registry[Condition] = Registry("condition")
actions: Registry[Action] = Registry("action")
views: Registry[View] = Registry("view")


def holds(check: Check | None, session: Session) -> bool:
    """No check always holds; an `unless:` check holds when its condition does not."""
    return check is None or conditions[check.name](session) != check.negated
