"""Scripted transcripts (YAML) run against the real engine and a temporary SQLite store.

Format: ../shared/CONTRACT.md, "Transcript format". Used by `weiquan test-dialogs` and pytest.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.channels.render import plain_text
from bot.config import Settings
from bot.engine.engine import Engine
from bot.service import Service
from bot.types import Inbound, Option, Outbound

CHANNELS = ("terminal", "telegram", "wechat")
STEP_ACTIONS = ("user", "choose", "press")
REPLY_EXCERPT = 160  # characters of the reply shown beside a failure
EXPECT_KEYS = ("stage", "state", "contains", "not_contains", "matches", "options_include")


@dataclass(slots=True)
class FileResult:
    path: Path
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


class _Clock:
    def __init__(self) -> None:
        self.now = 1_790_000_000.0  # a fixed start, so transcripts are repeatable

    def __call__(self) -> float:
        return self.now


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine.load()


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _pressed(options: tuple[Option, ...], wanted: list[str]) -> tuple[str | None, str]:
    hits = [o for o in options if any(w in o.label for w in wanted)]
    if len(hits) == 1:
        return hits[0].id, ""
    labels = ", ".join(o.label for o in options) or "none"
    return None, f"press {wanted}: {len(hits)} options match (offered: {labels})"


def _check(expect: dict[str, Any], reply: Outbound) -> list[str]:
    text = plain_text(reply)
    problems = []
    if "stage" in expect and reply.stage != expect["stage"]:
        problems.append(f"stage: expected {expect['stage']!r}, got {reply.stage!r}")
    if "state" in expect and reply.state != expect["state"]:
        problems.append(f"state: expected {expect['state']!r}, got {reply.state!r}")
    for needle in _as_list(expect.get("contains")):
        if needle not in text:
            problems.append(f"contains: {needle!r} not in reply")
    for needle in _as_list(expect.get("not_contains")):
        if needle in text:
            problems.append(f"not_contains: {needle!r} found in reply")
    if "matches" in expect and not re.search(str(expect["matches"]), text):
        problems.append(f"matches: /{expect['matches']}/ found nothing")
    offered = {o.id for o in reply.options}
    for option_id in _as_list(expect.get("options_include")):
        if option_id not in offered:
            problems.append(f"options_include: {option_id!r} not in {sorted(offered)}")
    if problems:  # one line per failure, with enough of the reply to see what came instead
        excerpt = text.replace("\n", " ⏎ ")
        excerpt = excerpt if len(excerpt) <= REPLY_EXCERPT else excerpt[:REPLY_EXCERPT] + "…"
        problems = [f"{problem} | reply: {excerpt}" for problem in problems]
    return problems


def _validate(doc: Any) -> list[str]:
    if not isinstance(doc, dict) or not doc.get("name"):
        return ["a transcript needs a `name`"]
    if doc.get("channel", "terminal") not in CHANNELS:
        return [f"channel must be one of {CHANNELS}"]
    steps = doc.get("steps")
    if not isinstance(steps, list) or not steps:
        return ["a transcript needs a list of `steps`"]
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or sum(k in step for k in STEP_ACTIONS) != 1:
            return [f"step {number}: needs exactly one of {STEP_ACTIONS}"]
        unknown = set(step.get("expect") or {}) - set(EXPECT_KEYS)
        if unknown:
            return [f"step {number}: unknown expect keys {sorted(unknown)}"]
    return []


def run_file(path: Path) -> FileResult:
    result = FileResult(path)
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: e.g. an impossible date
        result.failures.append(f"{path}: cannot read: {exc}")
        return result
    problems = _validate(doc)
    if problems:
        result.failures += [f"{path}: {p}" for p in problems]
        return result
    with tempfile.TemporaryDirectory(prefix="weiquan-dialog-") as tmp:
        settings = Settings.load({"WEIQUAN_DATA_DIR": tmp, "WEIQUAN_DATA_KEY": "transcript-key", "HOME": tmp})
        clock = _Clock()
        service = Service.open(settings, engine=_engine(), clock=clock)
        try:
            _run_steps(service, clock, doc, path, result)
        finally:
            service.close()
    return result


def _run_steps(service: Service, clock: _Clock, doc: dict[str, Any], path: Path, result: FileResult) -> None:
    user_key = f"{doc.get('channel', 'terminal')}:transcript"
    lang = doc.get("lang", "zh_CN")
    options: tuple[Option, ...] = ()
    for number, step in enumerate(doc["steps"], start=1):
        clock.now += float(step.get("wait", 1))
        if "user" in step:
            inbound = Inbound(user_key, str(step["user"]), locale=lang)
            label = f"user: {step['user']!r}"
        elif "choose" in step:
            chosen = [str(i) for i in _as_list(step["choose"])]
            label = f"choose: {chosen}"
            offered = {o.id for o in options}
            missing = [i for i in chosen if i not in offered]
            if missing:
                result.failures.append(
                    f"{path}: step {number} ({label}): not offered: {missing}; offered: {sorted(offered)}"
                )
                return
            inbound = Inbound(user_key, option_ids=tuple(chosen), locale=lang)
        else:
            wanted = _as_list(step["press"])
            option_id, problem = _pressed(options, wanted)
            label = f"press: {wanted}"
            if option_id is None:
                result.failures.append(f"{path}: step {number} ({label}): {problem}")
                return
            inbound = Inbound(user_key, option_ids=(option_id,), locale=lang)
        reply = service.handle_sync(inbound).outbound
        options = reply.options
        for problem in _check(step.get("expect") or {}, reply):
            result.failures.append(f"{path}: step {number} ({label}): {problem}")
        if result.failures:
            return


def transcript_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*.y*ml") if p.suffix in (".yaml", ".yml"))
        else:
            yield path
