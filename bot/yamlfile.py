"""YAML loading that remembers where each mapping came from, for file:line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.errors import FlowError

LINE = "__line__"
# libyaml's parser when PyYAML was built with it (the wheels are): the flow, locales and FAQ
# table load several times faster than with the pure-Python parser.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping


def load_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise FlowError(f"{path}{line}: invalid YAML: {exc}") from exc


def where(path: Path, node: Any) -> str:
    line = node.get(LINE) if isinstance(node, dict) else None
    return f"{path}:{line}" if line else str(path)


def strip_lines(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: strip_lines(v) for k, v in node.items() if k != LINE}
    if isinstance(node, list):
        return [strip_lines(v) for v in node]
    return node
