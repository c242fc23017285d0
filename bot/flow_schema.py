"""The flow files' JSON Schema (dialogs/flow.schema.json), checked by `weiquan lint`.

The loader (bot/engine/flow.py) checks meaning (targets exist, names are registered); the schema
checks shape, so an editor learns about a misspelt key or a wrong type with its file, line and
path before anything runs. Editors that understand JSON Schema can use the same file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

from bot.config import content_dir
from bot.errors import FlowError
from bot.yamlfile import LINE, load_yaml, strip_lines

SCHEMA_NAME = "flow.schema.json"


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = json.loads((content_dir("dialogs") / SCHEMA_NAME).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _line(doc: Any, path: Iterable[Any]) -> int | None:
    """The line of the innermost mapping on the way to `path` (scalars carry no line)."""
    line = doc.get(LINE) if isinstance(doc, dict) else None
    node = doc
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and LINE in node:
            line = node[LINE]
    return line


def _dotted(path: Iterable[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(top)"


def _specific(error: ValidationError) -> ValidationError:
    """`oneOf`/`anyOf` failures say little; the alternative of the value's own type (a list of
    routes rather than a state name) says what is wrong inside it."""
    while error.context:
        right_type = [e for e in error.context if e.validator != "type"]
        error = best_match(right_type or error.context)
    return error


def _message(error: ValidationError) -> str:
    forbidden = error.validator_value if error.validator == "not" else None
    if isinstance(forbidden, dict) and "required" in forbidden:  # {"not": {"required": [a, b]}}
        return " and ".join(f"`{key}:`" for key in forbidden["required"]) + " together: keep one"
    return error.message


def check_file(path: Path) -> list[str]:
    doc = load_yaml(path)
    found = []
    for error in _validator().iter_errors(strip_lines(doc) if doc is not None else {}):
        specific = _specific(error)
        line = _line(doc, specific.absolute_path)
        found.append((line or 0, f"{path}:{line}" if line else str(path), specific))
    found.sort(key=lambda item: item[0])
    return [f"{where}: {_dotted(e.absolute_path)}: {_message(e)}" for _, where, e in found]


def check_schema(dialogs: Path) -> list[str]:
    """Every flow file under `dialogs` against the schema (safety patterns have their own loader)."""
    problems: list[str] = []
    for path in sorted(dialogs.glob("*.yaml")):
        try:
            problems += check_file(path)
        except FlowError as exc:
            problems.append(str(exc))
    return problems
