"""`weiquan safety-eval`: recall per label and language, false alarms on calm messages, misses.

An evaluation set is a folder of `<label>.<lang>.txt` files (label: crisis, danger, scam_victim
or calm; lang: zh_CN or en), one message per line (blank lines and `#` lines are skipped).
A crisis message counts as caught when it reaches the crisis screen or the screening question
(which goes on to the crisis screen unless the user clearly says no); danger and scam_victim
only when their own screen is reached. A calm message is a false alarm when it reaches any of the
three screens; the screening question or an added line is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.safety.detector import LABELS, Detector, Verdict

CALM = "calm"
TARGETS = {"crisis": 0.98, "danger": 0.98, "scam_victim": 0.95}  # minimum recall
MAX_FALSE_ALARMS = 0.03


@dataclass(slots=True)
class Score:
    label: str
    lang: str
    total: int = 0
    hits: int = 0
    asked: int = 0  # messages that got the screening question (crisis: caught; calm: not an alarm)
    misses: list[tuple[str, str]] = field(default_factory=list)  # (message, what happened)

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 1.0

    def passes(self) -> bool:
        if self.label == CALM:
            return self.rate <= MAX_FALSE_ALARMS
        return self.rate >= TARGETS[self.label]


def read_set(root: Path) -> Iterator[tuple[str, str, str]]:
    """(label, lang, message) for every line of every file in the folder."""
    for path in sorted(root.glob("*.txt")):
        label, _, lang = path.stem.partition(".")
        if label not in (*LABELS, CALM) or not lang:
            raise ValueError(f"{path}: name it <label>.<lang>.txt, label one of {(*LABELS, CALM)}")
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                yield label, lang, line


def outcome(verdict: Verdict) -> str:
    if verdict.label is not None:
        return verdict.label
    return "question" if "crisis" in verdict.soft else "none"


def evaluate(detector: Detector, root: Path) -> list[Score]:
    scores: dict[tuple[str, str], Score] = {}
    for label, lang, message in read_set(root):
        score = scores.setdefault((label, lang), Score(label, lang))
        score.total += 1
        got = outcome(detector.scan(message))
        if label == CALM:
            if got in LABELS:
                score.hits += 1  # a false alarm
                score.misses.append((message, got))
            score.asked += got == "question"
        elif got == label or (label == "crisis" and got == "question"):
            score.hits += 1
            score.asked += got == "question"
        else:
            score.misses.append((message, got))
    order = {name: i for i, name in enumerate((*LABELS, CALM))}
    return sorted(scores.values(), key=lambda s: (order[s.label], s.lang))


def report(scores: list[Score], show_misses: bool = True) -> str:
    lines = []
    for s in scores:
        if s.label == CALM:
            figure = (
                f"false alarms {s.hits}/{s.total} = {s.rate:.1%} (max {MAX_FALSE_ALARMS:.0%}),"
                f" screening question {s.asked}/{s.total}"
            )
        else:
            asked = f", {s.asked} by the screening question" if s.asked else ""
            figure = f"recall {s.hits}/{s.total} = {s.rate:.1%}{asked} (min {TARGETS[s.label]:.0%})"
        lines.append(f"{s.label:<12} {s.lang:<6} {figure} {'ok' if s.passes() else 'BELOW TARGET'}")
    if show_misses:
        for s in scores:
            for message, got in s.misses:
                lines.append(
                    f"  {'false alarm' if s.label == CALM else 'miss'} [{s.label} {s.lang}] "
                    f"→ {got}: {message[:120]}"
                )
    return "\n".join(lines)
