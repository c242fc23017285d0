"""`weiquan diagram`: the flow drawn from dialogs/, as Mermaid, Graphviz dot or SVG."""

from __future__ import annotations

import shutil
import subprocess

from bot.engine.flow import BACK, Flow


def _edges(flow: Flow) -> list[tuple[str, str, str]]:
    edges = []
    for state in flow.states.values():
        for option in state.options:
            for route in option.routes or state.routes:
                if route.to != BACK:
                    label = option.id + (f" [{route.condition}]" if route.condition else "")
                    edges.append((state.name, route.to, label))
        if state.multi or state.input:
            for route in state.routes:
                label = "answer" + (f" [{route.condition}]" if route.condition else "")
                edges.append((state.name, route.to, label))
    return edges


def mermaid(flow: Flow) -> str:
    lines = ["flowchart TD"]
    for stage in sorted({s.stage for s in flow.states.values()}):
        lines.append(f"  subgraph {stage}")
        lines += [f"    {s.name}" for s in flow.states.values() if s.stage == stage]
        lines.append("  end")
    lines += [f"  {a} -->|{label}| {b}" for a, b, label in _edges(flow)]
    return "\n".join(lines) + "\n"


def dot(flow: Flow) -> str:
    lines = ["digraph weiquan {", "  rankdir=TB; node [shape=box, fontname=sans];"]
    for stage in sorted({s.stage for s in flow.states.values()}):
        lines.append(f'  subgraph "cluster_{stage}" {{ label="{stage}";')
        lines += [f'    "{s.name}";' for s in flow.states.values() if s.stage == stage]
        lines.append("  }")
    lines += [f'  "{a}" -> "{b}" [label="{label}"];' for a, b, label in _edges(flow)]
    return "\n".join([*lines, "}"]) + "\n"


def svg(flow: Flow) -> str:
    binary = shutil.which("dot")
    if binary is None:
        raise RuntimeError("SVG needs Graphviz's `dot` (apt-get install graphviz)")
    return subprocess.run(
        [binary, "-Tsvg"], input=dot(flow), capture_output=True, text=True, check=True
    ).stdout
