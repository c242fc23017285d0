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
from pathlib import Path
from typing import Any

from bot.config import content_dir
from bot.errors import FlowError
from bot.safety.backstop import Backstop
from bot.safety.firstchars import alternatives, needs
from bot.safety.keyindex import KeyIndex, text_keys
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
_CUT = "。"  # what a taken-out exception or hedge leaves: the end of a clause
# the strings the rules of a script need: Chinese characters and pairs of them; English pieces of
# three letters (English rules all need common letters, and shorter pieces at the end of a
# match, "me", "e", are in most messages)
_SIZES = {True: (1, 2), False: (3,)}
# \1, (?P=name), (?(1)…), (?i): alternatives that lean on each other, kept together
_REFERS_BACK = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|\(\?[aiLmsux]+\)")


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

    def __init__(self, pattern: str, flags: int | None = None) -> None:
        """`flags`: those of the pattern this one is an alternative of (its `\\b` stays in `re`)."""
        self.word_start = flags is None and pattern.startswith("\\b") and len(alternatives(pattern)) == 1
        self.regex = re.compile(
            pattern[2:] if self.word_start else pattern, _flags(pattern) if flags is None else flags
        )

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


def _flags(pattern: str) -> int:
    return 0 if has_cjk(pattern) else re.ASCII


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _flags(pattern))


def _is_latin_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _needs(patterns: list[str], cjk: bool) -> list[frozenset[str]]:
    """What a text must hold for all the patterns to match it (firstchars.needs), leaving out what a
    taken-out exception or hedge can put in: what is left of a message holds no string it did not
    hold, but for those with a _CUT, so one look at the message serves both readings."""
    sizes = _SIZES[cjk]
    found = [need for pattern in patterns for need in needs(pattern, max(sizes))]
    return [need for need in found if all(len(key) in sizes and _CUT not in key for key in need)]


_Search = Callable[[str], object]  # truthy when the rule matches
_Rule = tuple[_Search, list[frozenset[str]]]  # (search, what the text needs for it to match)


def _search(patterns: list[_Pattern]) -> _Search:
    """The cheapest call that tells whether all the patterns match: most rules are one plain
    regular expression, whose own bound `search` skips a Python frame per rule and message."""
    if len(patterns) == 1 and not patterns[0].word_start:
        return patterns[0].regex.search
    if len(patterns) == 1:
        return patterns[0].search
    return lambda text: all(p.search(text) for p in patterns)


def _runnable(patterns: list[str], cjk: bool) -> list[_Rule]:
    """A rule as the searches to run. Its longest alternation `a|b|c` runs as one search per
    alternative (with the rule's other patterns), each only when the message holds what it needs:
    a handful of the alternatives of a long list, not the list."""
    parts = [[p] if _REFERS_BACK.search(p) else alternatives(p) for p in patterns]
    at = max(range(len(patterns)), key=lambda number: len(parts[number]))
    if len(parts[at]) == 1:
        return [(_search([_Pattern(p) for p in patterns]), _needs(patterns, cjk))]
    before, after = [_Pattern(p) for p in patterns[:at]], [_Pattern(p) for p in patterns[at + 1 :]]
    flags = _flags(patterns[at])
    return [
        (
            _search([*before, _Pattern(part, flags), *after]),
            _needs([*patterns[:at], part, *patterns[at + 1 :]], cjk),
        )
        for part in parts[at]
    ]


class _Tiers:
    """A label's rules, strong and soft. A rule matches when all its patterns do (most rules have
    one). Rules are kept apart, not joined into one alternation: Python's `re` then skips to each
    rule's possible first characters in C, measured 10× faster here. A rule runs only when the
    message holds the strings it needs (keyindex: a handful of the several hundred), and none of
    the rules of a script the message lacks runs. Each script's rules are one index, the strong
    ones first, so the first rule that matches tells the tier.
    """

    def __init__(self, strong: list[list[str]], soft: list[list[str]]) -> None:
        tiered = [("strong", raw) for raw in strong] + [("soft", raw) for raw in soft]
        self.cjk, self.latin = (
            KeyIndex(
                [
                    ((tier, search), needed)
                    for tier, raw in tiered
                    if any(map(has_cjk, raw)) == script
                    for search, needed in _runnable(raw, script)
                ]
            )
            for script in (True, False)
        )

    def __call__(self, text: str, message: _Message) -> str | None:
        """ "strong", "soft" or None."""
        found = None
        for index, present in ((self.cjk, message.cjk), (self.latin, message.latin)):
            if present:
                tier = next((tier for tier, search in index.candidates(message.keys) if search(text)), None)
                if tier == "strong":
                    return tier
                found = found or tier
        return found


@dataclass(frozen=True, slots=True)
class _Message:
    """A normalised message as the rules read it, worked out once for every label."""

    text: str
    keys: frozenset[str]  # its strings of the sizes the rules of its scripts need (_SIZES)
    cjk: bool
    latin: bool

    @classmethod
    def read(cls, folded: str) -> _Message:
        cjk = not folded.isascii() and _CJK.search(folded) is not None
        latin = _LATIN.search(folded) is not None
        sizes = (_SIZES[True] if cjk else ()) + (_SIZES[False] if latin else ())
        return cls(folded, text_keys(folded, sizes), cjk, latin)


class _LabelRules:
    def __init__(self, label: str, raw: Mapping[str, Any], origin: str) -> None:
        sets = {str(k): [str(w) for w in v] for k, v in (raw.get("sets") or {}).items() if k != "__line__"}
        self.label = label
        excepts = [_expand(p, sets, origin) for p in raw.get("except") or ()]
        self.cjk_exceptions = KeyIndex([(re.compile(p), _needs([p], True)) for p in excepts if has_cjk(p)])
        self.latin_exceptions = KeyIndex(
            [(_compile(p), _needs([p], False)) for p in excepts if not has_cjk(p)]
        )
        # idioms said both in exasperation and in earnest (想死的心都有了): never strong alone,
        # but they still get the soft tier's question
        self.hedges = [re.compile(_expand(p, sets, origin)) for p in raw.get("hedge") or ()]
        self.tiers = _Tiers(
            *(_expand_rules(raw.get(tier) or (), sets, origin) for tier in ("strong", "soft"))
        )

    def judge(self, message: _Message) -> str | None:
        """ "strong", "soft" or None for this label."""
        if self.tiers(message.text, message) is None:
            return None  # exceptions only take matches away: most messages stop here, cheaply
        text = self.without_exceptions(message)
        hedged = False
        for pattern in self.hedges:
            text, found = pattern.subn(_CUT, text)
            hedged = hedged or found > 0
        outcome = self.tiers(text, message)
        return outcome or ("soft" if hedged else None)

    def without_exceptions(self, message: _Message) -> str:
        """The text with negations, metaphors and anger at others taken out."""
        text = message.text
        for exceptions, present in (
            (self.cjk_exceptions, message.cjk),
            (self.latin_exceptions, message.latin),
        ):
            if present:
                for pattern in exceptions.candidates(message.keys):
                    text = pattern.sub(_CUT, text)
        return text


def _expand_rules(rules: Sequence[Any], sets: Mapping[str, list[str]], origin: str) -> list[list[str]]:
    compiled: list[list[str]] = []
    for rule in rules:
        if isinstance(rule, str):
            compiled.append([_expand(rule, sets, origin)])
        elif isinstance(rule, dict) and isinstance(rule.get("all"), list):
            compiled.append([_expand(str(p), sets, origin) for p in rule["all"]])
        else:
            raise FlowError(f"{origin}: a rule is a pattern or {{all: [patterns]}}, not {rule!r}")
    return compiled


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
        verdict, message = self._scan(text)
        if verdict.label is not None or message is None or not message.text or self.backstop is None:
            return verdict
        # the raw text first (cheap); each label's exceptions are taken out only when it would ask
        unclear = [label for label in LABELS if label not in verdict.soft]
        added = [
            label
            for label in self.backstop.asking(message.text, unclear)
            if self.backstop.asking(self._by_label[label].without_exceptions(message), [label])
        ]
        signalled = tuple(label for label in LABELS if label in added or label in verdict.soft)
        for label in signalled:  # a soft sign the model reads as a clear one (danger only, for now)
            if self.backstop.screens(label, self._by_label[label].without_exceptions(message)):
                return Verdict(label, tuple(other for other in signalled if other != label))
        return Verdict(None, signalled) if added else verdict

    def for_backstop(self, folded: str, label: str = "crisis") -> str:
        """A normalised message as the label's backstop reads it: "我没想过自杀" must not read as
        自杀, nor "别再打电话" as 打."""
        return self._by_label[label].without_exceptions(_Message.read(folded))

    def scan_patterns(self, text: str) -> Verdict:
        """The pattern families alone, without the backstop (what the backstop is trained around)."""
        return self._scan(text)[0]

    def _scan(self, text: str) -> tuple[Verdict, _Message | None]:
        if not text or _TRIVIAL.fullmatch(text):
            return NOTHING, None
        if len(text) > SCAN_LIMIT:
            text = f"{text[: SCAN_LIMIT // 2]}\n{text[-SCAN_LIMIT // 2 :]}"
        message = _Message.read(self.normalise(text))
        soft: list[str] = []
        for rules in self.rules:
            outcome = rules.judge(message)
            if outcome == "strong":
                return Verdict(rules.label, tuple(soft)), message
            if outcome == "soft":
                soft.append(rules.label)
        return (Verdict(None, tuple(soft)) if soft else NOTHING), message
