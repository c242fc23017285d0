"""One verdict per message: crisis, danger, scam_victim or nothing, plus the unclear ("soft") signals.

The patterns are data (dialogs/safety/<label>.yaml): word sets, and regular expressions over the
normalised text in which `{set}` stands for any word of a set and `{gN}` for a gap of up to N
characters inside one clause. Per label, the `except` patterns (negation, metaphor, anger at
others: 不想死, 累死了, 催收的去死吧, "this debt is killing me") are taken out of the text first,
so what is left of the message still counts ("我不想死，可是真的撑不下去了" stays a crisis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.config import content_dir
from bot.errors import FlowError
from bot.safety.backstop import Backstop
from bot.safety.firstchars import first_chars, first_pairs
from bot.safety.normalise import Normaliser
from bot.yamlfile import load_yaml

LABELS = ("crisis", "danger", "scam_victim")  # in priority order: a crisis outranks the rest
SCAN_LIMIT = 20_000  # characters read from one message (its first and last halves past that)
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_GAP = re.compile(r"g(\d+)")
_CLAUSE_END = "。！？!?；;\n"
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z]")
# option numbers, amounts, dates and times, or a bare command (/start): most of what a user
# types, and nothing to read in it
_TRIVIAL = re.compile(r"[\d\s.,:;/+\-()#*%¥$元块万千号月日年点分]*|\s*/[a-z_]+\s*", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.,!?。，！？~～…啊呀啦的哈嗯呢吧了]+$")


@dataclass(frozen=True, slots=True)
class Verdict:
    label: str | None = None  # the strong outcome, or None
    soft: tuple[str, ...] = ()  # labels whose signal is there but unclear

    def __bool__(self) -> bool:
        return self.label is not None or bool(self.soft)


NOTHING = Verdict()


def has_cjk(pattern: str) -> bool:
    return _CJK.search(pattern) is not None


class _Pattern:
    """A compiled pattern. A leading `\\b` is checked in Python instead: with it first, `re`
    cannot skip ahead to the pattern's first letters, and English rules ran 2× slower.
    English patterns see word boundaries in ASCII terms, so a word typed straight after a Chinese
    character still starts a word ("还带knife" holds the word "knife")."""

    __slots__ = ("regex", "word_start")

    def __init__(self, pattern: str) -> None:
        self.word_start = pattern.startswith("\\b") and not _top_level_branch(pattern)
        self.regex = _compile(pattern[2:] if self.word_start else pattern)

    def search(self, text: str) -> bool:
        match = self.regex.search(text)
        if not self.word_start:
            return match is not None
        while match is not None:
            start = match.start()
            if start == 0 or not _is_latin_word_char(text[start - 1]):
                return True
            match = self.regex.search(text, start + 1)
        return False


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, 0 if has_cjk(pattern) else re.ASCII)


def _is_latin_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _top_level_branch(pattern: str) -> bool:
    depth = 0
    escaped = in_class = False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


_Search = Callable[[str], object]  # truthy when the rule matches
_Rule = tuple[frozenset[str] | None, _Search, list[_Pattern]]  # (first characters, search, patterns)


def _search(patterns: list[_Pattern]) -> _Search:
    """The cheapest call that tells whether all the patterns match: most rules are one plain
    regular expression, whose own bound `search` skips a Python frame per rule and message."""
    if len(patterns) == 1 and not patterns[0].word_start:
        return patterns[0].regex.search
    if len(patterns) == 1:
        return patterns[0].search
    return lambda text: all(p.search(text) for p in patterns)


class _Tier:
    """A rule matches when all its patterns do (most rules have one). Rules are kept apart, not
    joined into one alternation: Python's `re` then skips to each rule's possible first
    characters in C, measured 10× faster here. Rules are indexed by those first characters, so a
    message runs only the rules that could start somewhere in it (a short message: a handful of
    the several hundred), and none of the rules of a script the message lacks.
    """

    def __init__(self, rules: list[list[str]]) -> None:
        patterns = [[_Pattern(p) for p in rule] for rule in rules]
        self.rules: list[_Rule] = [
            (first_chars(raw[0]), _search(p), p) for raw, p in zip(rules, patterns, strict=True)
        ]
        scripts = [any(map(has_cjk, raw)) for raw in rules]
        self.cjk = _FirstCharIndex([r for r, cjk in zip(self.rules, scripts, strict=True) if cjk])
        latin = [(rule, raw) for rule, raw, cjk in zip(self.rules, rules, scripts, strict=True) if not cjk]
        self.latin = _FirstCharIndex([rule for rule, _ in latin], [first_pairs(raw[0]) for _, raw in latin])

    def __call__(self, text: str, chars: frozenset[str], cjk: bool, latin: bool) -> bool:
        return (cjk and self.cjk.any_match(text, chars)) or (
            latin and self.latin.any_match(text, chars, _pairs(text))
        )


@lru_cache(maxsize=16)
def _pairs(text: str) -> frozenset[str] | None:
    """Every two characters side by side in the text (read once per message, not per label)."""
    if len(text) > _PAIRS_LIMIT:
        return None  # a long vent: run every rule whose first letter is there
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


_PAIRS_LIMIT = 2_000


class _FirstCharIndex:
    def __init__(self, rules: list[_Rule], pairs: Sequence[frozenset[str] | None] = ()) -> None:
        self._always = [search for first, search, _ in rules if first is None]
        self._searches = [search for _, search, _ in rules]
        self._pairs = list(pairs) or [None] * len(rules)  # a rule's possible first two characters
        by_char: dict[str, set[int]] = {}
        for number, (first, _, _) in enumerate(rules):
            for char in first or ():
                by_char.setdefault(char, set()).add(number)
        self._by_char = {char: frozenset(numbers) for char, numbers in by_char.items()}
        self._chars = frozenset(self._by_char)

    def any_match(self, text: str, chars: frozenset[str], pairs: frozenset[str] | None = None) -> bool:
        if any(search(text) for search in self._always):
            return True
        present = self._chars.intersection(chars)
        if not present:
            return False
        candidates = frozenset().union(*map(self._by_char.__getitem__, present))
        searches, firsts = self._searches, self._pairs
        if pairs is None:
            return any(searches[number](text) for number in candidates)
        return any(
            searches[number](text)
            for number in candidates
            if (first := firsts[number]) is None or not first.isdisjoint(pairs)
        )


class _LabelRules:
    def __init__(self, label: str, raw: Mapping[str, Any], origin: str) -> None:
        sets = {str(k): [str(w) for w in v] for k, v in (raw.get("sets") or {}).items() if k != "__line__"}
        self.label = label
        excepts = [_expand(p, sets, origin) for p in raw.get("except") or ()]
        self.cjk_exceptions = [re.compile(p) for p in excepts if has_cjk(p)]
        self.latin_exceptions = [_compile(p) for p in excepts if not has_cjk(p)]
        # idioms said both in exasperation and in earnest (想死的心都有了): never strong alone,
        # but they still get the soft tier's question
        self.hedges = [re.compile(_expand(p, sets, origin)) for p in raw.get("hedge") or ()]
        self.strong = _tier(raw.get("strong") or (), sets, origin)
        self.soft = _tier(raw.get("soft") or (), sets, origin)

    def judge(self, text: str, chars: frozenset[str], cjk: bool, latin: bool) -> str | None:
        """ "strong", "soft" or None for this label."""
        if self._tiers(text, chars, cjk, latin) is None:
            return None  # exceptions only take matches away: most messages stop here, cheaply
        text = self.without_exceptions(text, cjk, latin)
        hedged = False
        for pattern in self.hedges:
            text, found = pattern.subn("。", text)
            hedged = hedged or found > 0
        outcome = self._tiers(text, frozenset(text), cjk, latin)
        return outcome or ("soft" if hedged else None)

    def without_exceptions(self, text: str, cjk: bool, latin: bool) -> str:
        """The text with negations, metaphors and anger at others taken out."""
        for exceptions, present in ((self.cjk_exceptions, cjk), (self.latin_exceptions, latin)):
            if present:
                for pattern in exceptions:
                    text = pattern.sub("。", text)
        return text

    def _tiers(self, text: str, chars: frozenset[str], cjk: bool, latin: bool) -> str | None:
        if self.strong(text, chars, cjk, latin):
            return "strong"
        if self.soft(text, chars, cjk, latin):
            return "soft"
        return None


def _tier(rules: Sequence[Any], sets: Mapping[str, list[str]], origin: str) -> _Tier:
    compiled: list[list[str]] = []
    for rule in rules:
        if isinstance(rule, str):
            compiled.append([_expand(rule, sets, origin)])
        elif isinstance(rule, dict) and isinstance(rule.get("all"), list):
            compiled.append([_expand(str(p), sets, origin) for p in rule["all"]])
        else:
            raise FlowError(f"{origin}: a rule is a pattern or {{all: [patterns]}}, not {rule!r}")
    return _Tier(compiled)


def _alternation(words: Iterable[str]) -> str:
    """A word set as one group, its words merged by their shared beginnings (a trie): `re` tries
    a flat alternation word by word at every position of the text, a trie one character at a
    time, which reads a set of dozens of words several times faster. Longer words are still tried
    before their prefixes (a greedy optional end), as the flat list sorted by length did."""
    trie: dict[str, Any] = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return f"(?:{_trie(trie)})"


def _trie(node: Mapping[str, Any]) -> str:
    branches = [re.escape(char) + _trie(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    if len(branches) == 1 and "" not in node:
        return branches[0]
    return f"(?:{'|'.join(branches)})" + ("?" if "" in node else "")


def _expand(pattern: str, sets: Mapping[str, list[str]], origin: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        gap = _GAP.fullmatch(name)
        if gap:
            return f"[^{_CLAUSE_END}]{{0,{gap.group(1)}}}"
        if name not in sets:
            raise FlowError(f"{origin}: unknown word set {{{name}}} in {pattern!r}")
        return _alternation(sets[name])

    expanded = _PLACEHOLDER.sub(fill, pattern)
    try:
        re.compile(expanded)
    except re.error as exc:
        raise FlowError(f"{origin}: bad pattern {pattern!r}: {exc}") from exc
    return expanded


class Detector:
    def __init__(
        self,
        normaliser: Normaliser,
        rules: Sequence[_LabelRules],
        no_answers: Sequence[str] = (),
        backstop: Backstop | None = None,
    ) -> None:
        self.normalise = normaliser
        self.rules = tuple(rules)
        self.backstop = backstop
        self._by_label = {r.label: r for r in self.rules}
        self._no = re.compile("|".join(f"(?:{p})" for p in no_answers) or "(?!)")

    @classmethod
    def load(cls, root: Path | None = None, backstop: bool = True) -> Detector:
        root = root or content_dir("dialogs") / "safety"
        spellings = load_yaml(root / "normalise.yaml") or {}
        replace, words = (
            {str(k): str(v) for k, v in (spellings.get(part) or {}).items() if k != "__line__"}
            for part in ("replace", "words")
        )
        rules = []
        for label in LABELS:
            path = root / f"{label}.yaml"
            rules.append(_LabelRules(label, load_yaml(path) or {}, str(path)))
        screening = load_yaml(root / "screening.yaml") or {}
        no_answers = [str(p) for p in screening.get("no") or ()]
        model = Backstop.load(root / "backstop.json") if backstop else None
        return cls(Normaliser(replace, words), rules, no_answers, model)

    def is_no(self, text: str) -> bool:
        """Is this answer to the screening question a clear no?"""
        answer = _TRAILING.sub("", self.normalise(text).strip())
        return self._no.fullmatch(answer) is not None

    def scan(self, text: str) -> Verdict:
        """The whole message: call this before anything cuts the text to size. Past SCAN_LIMIT
        characters (no phone message is that long; a hostile 1 MB body would cost seconds) its
        start and its end are read, where a long vent puts what matters. When no pattern gives a
        screen, the backstop may still add a soft signal (the screening question, a 110 line), or
        show the danger screen when a soft sign reads far more like danger than calm."""
        verdict, folded = self._scan(text)
        if verdict.label is not None or not folded or self.backstop is None:
            return verdict
        # the raw text first (cheap); each label's exceptions are taken out only when it would ask
        unclear = [label for label in LABELS if label not in verdict.soft]
        added = [
            label
            for label in self.backstop.asking(folded, unclear)
            if self.backstop.asking(self.for_backstop(folded, label), [label])
        ]
        signalled = tuple(label for label in LABELS if label in added or label in verdict.soft)
        for label in signalled:  # a soft sign the model reads as a clear one (danger only, for now)
            if self.backstop.screens(label, self.for_backstop(folded, label)):
                return Verdict(label, tuple(other for other in signalled if other != label))
        return Verdict(None, signalled) if added else verdict

    def for_backstop(self, folded: str, label: str = "crisis") -> str:
        """A normalised message as the label's backstop reads it: "我没想过自杀" must not read as
        自杀, nor "别再打电话" as 打."""
        cjk = not folded.isascii() and _CJK.search(folded) is not None
        latin = _LATIN.search(folded) is not None
        return self._by_label[label].without_exceptions(folded, cjk, latin)

    def scan_patterns(self, text: str) -> Verdict:
        """The pattern families alone, without the backstop (what the backstop is trained around)."""
        return self._scan(text)[0]

    def _scan(self, text: str) -> tuple[Verdict, str]:
        if not text or _TRIVIAL.fullmatch(text):
            return NOTHING, ""
        if len(text) > SCAN_LIMIT:
            text = f"{text[: SCAN_LIMIT // 2]}\n{text[-SCAN_LIMIT // 2 :]}"
        folded = self.normalise(text)
        cjk = not folded.isascii() and _CJK.search(folded) is not None
        latin = _LATIN.search(folded) is not None
        chars = frozenset(folded)
        soft: list[str] = []
        for rules in self.rules:
            outcome = rules.judge(folded, chars, cjk, latin)
            if outcome == "strong":
                return Verdict(rules.label, tuple(soft)), folded
            if outcome == "soft":
                soft.append(rules.label)
        return (Verdict(None, tuple(soft)) if soft else NOTHING), folded
