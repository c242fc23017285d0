"""The detector's parts on their own: folding, skipping the rules a message cannot match, hours,
the screening answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.engine.hours import HumanHours
from bot.errors import BotError
from bot.safety import Detector
from bot.safety.detector import _Pattern, has_cjk
from bot.safety.evaluate import read_set
from bot.safety.firstchars import alternatives, first_chars, needs
from bot.safety.keyindex import KeyIndex, text_keys
from bot.service import Service
from bot.yamlfile import load_yaml

SETS = Path(__file__).parent / "safety"


@cache
def detector() -> Detector:
    return Detector.load()


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("我想紫砂", "我想自杀"),
        ("自 杀", "自杀"),
        ("自.杀", "自杀"),
        ("我不想再活下去了", "我不想活了"),
        ("我覺得活著沒有意義", "我觉得活着没有意义"),
        ("ＷＡＮＴ　ＴＯ　ＤＩＥ", "want to die"),
        ("I can't go on", "i can not go on"),
        ("s u i c i d e", "suicide"),
        ("diiiie", "die"),
        ("想死死死死", "想死"),
        ("kms", "kill myself"),
        ("我想zs", "我想自杀"),
    ],
)
def test_folding(typed: str, folded: str) -> None:
    assert detector().normalise(typed) == folded


def _searches() -> list[tuple[Callable[[str], object], Sequence[frozenset[str]]]]:
    """Every rule and exception of every label, with what it needs."""
    out: list[tuple[Callable[[str], object], Sequence[frozenset[str]]]] = []
    for rules in detector().rules:
        for index in (rules.tiers.cjk, rules.tiers.latin):
            out += [(search, needed) for (_tier, search), needed in index.entries]
        for exceptions in (rules.cjk_exceptions, rules.latin_exceptions):
            out += [(pattern.search, needed) for pattern, needed in exceptions.entries]
    return out


def _never_skipped_when_it_matches(text: str) -> None:
    keys = text_keys(text, (1, 2, 3))
    for search, needed in _searches():
        if search(text):
            assert all(not need.isdisjoint(keys) for need in needed), (text, search)


def test_a_rule_is_skipped_only_when_it_cannot_match() -> None:
    """Over every message of the evaluation set: a rule or exception that matches a message finds
    in it all it needs (the skip changes the cost, never the verdict)."""
    for _label, _lang, message in read_set(SETS / "tune"):
        _never_skipped_when_it_matches(detector().normalise(message))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="想要死去活不了我在楼顶跳药吃安眠杀自他们刀砍门口 abcdeilkmnosty", max_size=20))
def test_needs_are_sound_on_random_text(text: str) -> None:
    _never_skipped_when_it_matches(text)


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        (r"(?:想|要)[^。]{0,3}死", {"想", "要"}),
        (r"\b(kill|hurt) me", {"k", "h"}),
        (r"(a)?b", {"a", "b"}),
        (r".x", None),
        (r"(?:)", None),
        (r"[^a]b", None),
    ],
)
def test_first_chars(pattern: str, chars: set[str] | None) -> None:
    found = first_chars(pattern)
    assert (None if found is None else set(found)) == chars


@pytest.mark.parametrize(
    ("hours", "utc_hour", "open_"),
    [
        ("09:00-21:00", 0, False),  # 08:00 in China
        ("09:00-21:00", 2, True),  # 10:00
        ("09:00-21:00", 13, False),  # 21:00
        ("22:00-06:00", 15, True),  # 23:00: past midnight
        ("09:00-12:00,14:00-18:00", 5, False),  # 13:00, between the two
        ("always", 19, True),
        ("never", 3, False),
    ],
)
def test_human_hours(hours: str, utc_hour: int, open_: bool) -> None:
    assert HumanHours.parse(hours).open_at(1_790_000_000 - 1_790_000_000 % 86400 + utc_hour * 3600) is open_


@pytest.mark.parametrize("bad", ["9-21", "25:00-26:00", "09:00", "morning"])
def test_bad_human_hours_name_the_setting(bad: str, tmp_path: Path) -> None:
    settings = Settings.load({"WEIQUAN_DATA_DIR": str(tmp_path), "WEIQUAN_HUMAN_HOURS": bad})
    with pytest.raises(BotError, match="WEIQUAN_HUMAN_HOURS"):
        Service.open(settings)


@pytest.mark.parametrize(
    ("answer", "no"),
    [
        ("没有", True),
        ("不是的", True),
        ("没有啦~", True),
        ("No.", True),
        ("not really", True),
        ("是", False),
        ("不想说", False),
        ("有时候会", False),
        ("yes", False),
        ("我欠了五千", False),
    ],
)
def test_a_clear_no(answer: str, no: bool) -> None:
    assert detector().is_no(answer) is no


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_verdict_never_an_error(text: str) -> None:
    """Lone surrogates, control characters, emoji, any script: the detector never raises."""
    verdict = detector().scan(text)
    assert verdict.label in (None, "crisis", "danger", "scam_victim")


def test_a_lone_surrogate_next_to_the_signal() -> None:
    assert detector().scan("\ud800我不想活了").label == "crisis"


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("佢哋話知道我屋企喺邊", "他们说知道我家在哪"),
        ("叫我小心啲", "叫我小心点"),
        ("他们说要来我家坎我", "他们说要来我家砍我"),
        ("打电话给我", "打电话给我"),  # 话 after a speaker only: 电话 stays
        ("我谂住今晚食晒啲药", "我打算今晚吃晒点药"),
        ("儿子，爸爸对不住你", "儿子,爸爸对不起你"),
        ("wo bu xiang huo le", "我不想活了"),
        ("xiang si", "想死"),
    ],
)
def test_cantonese_and_homophones_fold_to_the_words_the_patterns_know(typed: str, folded: str) -> None:
    assert detector().normalise(typed) == folded


@pytest.mark.parametrize("text", ["i'm going to set myself on fire", "我想自焚", "我想往自己身上浇汽油"])
def test_setting_oneself_on_fire_is_self_harm_not_arson(text: str) -> None:
    assert detector().scan(text).label == "crisis"
    assert detector().scan("他们说要把我家点了").label == "danger"


@pytest.mark.parametrize(
    "text",
    [
        "I'm tired of waking up",
        "sometimes i sit on the window sill with my legs outside",
        "the world would be lighter without me in it",
        "been sleeping with the knife under my pillow, not for protection",
        "我用皮带勒自己脖子，想知道是什么感觉",
        "我欠的债会跟我一起走",
        "别再打电话了，明天就没人接了",
    ],
)
def test_oblique_despair_of_the_last_probe_is_screened_or_asked_about(text: str) -> None:
    verdict = detector().scan(text)
    assert verdict.label == "crisis" or verdict.soft == ("crisis",)


def test_an_english_word_typed_against_chinese_characters_is_still_a_word() -> None:
    assert _Pattern("\\bknife\\b").search("他还带knife来了")
    assert not _Pattern("\\bknife\\b").search("pocketknife")
    assert detector().scan("催收说tonight要来我家，还带knife").label == "danger"


@pytest.mark.parametrize(
    ("pattern", "length", "needed"),
    [
        ("(?:想|要)[^。]{0,3}死", 2, [{"想", "要"}, {"死"}]),
        ("\\b(kill|hurt) me", 3, [{"kil", "hur"}, {" me"}, {"me"}, {"e"}]),
        ("(a|b){0,1}cd", 2, [{"cd"}, {"d"}]),
        ("\\b(\\w+ )?(punch|kick)", 1, [{"p", "k"}]),
        ("x.*y", 2, [{"x"}, {"y"}]),
        ("(?i)kill", 2, []),  # either case: nothing told
    ],
)
def test_what_a_pattern_needs(pattern: str, length: int, needed: list[set[str]]) -> None:
    assert needs(pattern, length) == tuple(frozenset(need) for need in needed)


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        ("a|b(c|d)|[|]|\\||[]|]", ["a", "b(c|d)", "[|]", "\\|", "[]|]"]),
        ("(?:a|b)", ["a", "b"]),  # one group around it all
        ("(a|b)", ["a", "b"]),
        ("(?:a|b)+", ["(?:a|b)+"]),
        ("(?!a|b)", ["(?!a|b)"]),  # a look-ahead is no group to open
        ("(a)(b|c)", ["(a)(b|c)"]),
        ("\\b(?:x|y)", ["\\b(?:x|y)"]),
    ],
)
def test_top_level_alternatives(pattern: str, parts: list[str]) -> None:
    assert alternatives(pattern) == parts


def test_the_index_gives_what_meets_all_its_needs_in_order() -> None:
    index = KeyIndex(
        [("any", []), ("a and b", [frozenset("a"), frozenset("b")]), ("a or c", [frozenset("ac")])]
    )
    assert list(index.candidates(frozenset("ab"))) == ["any", "a and b", "a or c"]
    assert list(index.candidates(frozenset("c"))) == ["any", "a or c"]
    assert list(index.candidates(frozenset())) == ["any"]


def test_a_visit_threatened_with_the_users_fear_now_reads_as_danger() -> None:
    assert detector().scan("他们说要上门").label is None  # the 110 line only
    assert detector().scan("他们说要上门，我好害怕").label == "danger"


@pytest.mark.parametrize(
    "not_danger",
    [
        "他们说要上门，我气得发抖",
        "催收威胁要起诉我，我好害怕",
        "they threatened to sue me, I am terrified",
        "please help me, I am shaking with anger",
        "I put my son to bed and then they called again",
        "我好害怕",
    ],
)
def test_fear_with_lawful_pressure_or_anger_is_not_danger(not_danger: str) -> None:
    assert detector().scan(not_danger).label is None


def test_no_danger_rule_hides_an_english_phrase_among_chinese() -> None:
    """Rules are indexed by script: one holding Chinese runs only on text with Chinese in it, so an
    English alternative inside it would never be read in an English message."""
    raw = load_yaml(Path(__file__).parent.parent / "dialogs" / "safety" / "danger.yaml")
    patterns = [
        str(p)
        for tier in ("strong", "soft")
        for rule in raw[tier]
        for p in (rule["all"] if isinstance(rule, dict) else [rule])
    ]
    english_word = re.compile(r"\\b|(?<![a-z{])[a-z]{4,}")
    mixed = [p for p in patterns if has_cjk(p) and english_word.search(re.sub(r"\{[a-z_0-9]+\}", "", p))]
    assert not mixed
