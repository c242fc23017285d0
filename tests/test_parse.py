"""How typed answers are read: numbers (half- and full-width), lists, labels, amounts, dates."""

import pytest

from bot.engine import parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", [0]),
        ("1 3 5", [0, 2, 4]),
        ("1,3,5", [0, 2, 4]),
        ("1、3", [0, 2]),
        ("1，3", [0, 2]),
        (parse.clean("１ ３"), [0, 2]),
        ("3 3 1", [2, 0]),
        ("9", None),
        ("0", None),
        ("1 x", None),
        ("", None),
    ],
)
def test_option_numbers(text: str, expected: list[int] | None) -> None:
    assert parse.option_numbers(text, 5) == expected


def test_clean_removes_controls_and_bounds_length() -> None:
    assert parse.clean("\x00\x01你好\x7f") == "你好"
    assert len(parse.clean("x" * 10_000)) == parse.MAX_TEXT
    assert parse.clean("\ud800abc") == "?abc"  # a lone surrogate cannot be stored as UTF-8


def test_label_match_exact_then_unique_substring() -> None:
    labels = ["我的家人", "我的朋友", "通讯录里很多人"]
    assert parse.option_by_label("我的朋友", labels) == 1
    assert parse.option_by_label("通讯录", labels) == 2
    assert parse.option_by_label("我的", labels) is None  # two labels contain it
    assert parse.option_by_label("x", labels) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("7000", 7000), ("7,000", 7000), ("1.2万", 12000), ("3千", 3000), ("¥500元", 500), ("abc", None)],
)
def test_money(text: str, value: float | None) -> None:
    assert parse.money(text) == value


def test_dates_and_integers() -> None:
    assert parse.date_text("2026年11月3日") == "2026-11-03"
    assert parse.date_text("2026-02-30") is None
    assert parse.integer("12个月") == 12
    assert parse.integer("0") is None


def test_commands_in_both_languages() -> None:
    table = parse.command_table({"help": ["/help", "帮助"], "back": ["/back", "返回"]})
    assert parse.command_of("/HELP", table) == "help"
    assert parse.command_of("/help@weiquan_bot", table) == "help"
    assert parse.command_of(" 返回 ", table) == "back"
    assert parse.command_of("帮助我", table) is None


def test_phrase_matcher_exceptions() -> None:
    crisis = parse.PhraseMatcher(["想死", "kill myself"], ["不想死"])
    assert crisis("我真的想死")
    assert crisis("I want to KILL MYSELF")
    assert not crisis("我不想死，只想他们别打了")
