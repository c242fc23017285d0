"""The common replies' short cuts give what the full reading gives."""

from __future__ import annotations

import random
import re
import shutil
import string
import unicodedata
from pathlib import Path

import cn2an
import pytest

from bot.config import content_dir
from bot.engine import amounts, parse
from bot.engine.engine import Engine
from bot.types import Inbound


def _clean_in_full(text: str) -> str:
    """parse.clean without its short cut for printable ASCII."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return text.strip()[: parse.MAX_TEXT]


def test_clean_gives_the_full_result_for_any_ascii() -> None:
    draw = random.Random(7)
    alphabet = string.printable + "\x00\x07\x1b\x7f"
    samples = ["1", " 2 ", "1 2 3", "1,3", "/start", "", "  ", "a\tb", "x\ny", "9" * 3000]
    samples += ["".join(draw.choice(alphabet) for _ in range(draw.randint(0, 40))) for _ in range(2000)]
    for text in samples:
        assert parse.clean(text) == _clean_in_full(text), repr(text)


@pytest.mark.parametrize("text", ["1", "1 2 3", "1、3", "3000", "1,2，3", "2。", "１２"])
def test_bare_numbers_are_numeric(text: str) -> None:
    assert parse.is_numeric(parse.clean(text))


@pytest.mark.parametrize("text", ["", "1个月", "about 3", "一", "1 and 2", "验证码 123456"])
def test_words_are_not_numeric(text: str) -> None:
    assert not parse.is_numeric(text)


def _engine_with_guard_phrase(tmp_path: Path, phrase: str) -> Engine:
    dialogs = tmp_path / "dialogs"
    shutil.copytree(content_dir("dialogs"), dialogs)
    core = dialogs / "core.yaml"
    text = core.read_text(encoding="utf-8")
    core.write_text(text.replace("phrases: [\n", f"phrases: [\n      {phrase!r},\n", 1), encoding="utf-8")
    return Engine.load(dialogs)


def _reply_to_numbers(engine: Engine) -> str:
    session = engine.new_session("test:fast", "zh_CN", 1.0)
    engine.step(session, Inbound("test:fast", "/start"), 2.0)
    engine.step(session, Inbound("test:fast", "1"), 3.0)
    return engine.step(session, Inbound("test:fast", "1 2 3 12306"), 4.0).text


def test_a_guard_phrase_made_of_digits_is_still_found_in_a_numeric_reply(tmp_path: Path) -> None:
    engine = _engine_with_guard_phrase(tmp_path, "12306")
    assert not engine.numbers_skip_phrases
    warning = engine.i18n.text("zh_CN", "guard.scam")
    assert warning in _reply_to_numbers(engine)


def test_a_numeric_reply_skips_the_phrases_that_cannot_be_in_it() -> None:
    engine = Engine.load()
    assert engine.numbers_skip_phrases
    assert engine.i18n.text("zh_CN", "guard.scam") not in _reply_to_numbers(engine)


def _option_numbers_in_full(text: str, count: int) -> list[int] | None:
    """parse.option_numbers without its short cut for one or two digits."""
    tokens = [t for t in re.split(r"[\s,，、;；/和]+", text.strip().rstrip("。.")) if t]
    if not tokens or not all(re.fullmatch(r"\d{1,2}", t) for t in tokens):
        return None
    picks: list[int] = []
    for index in (int(t) - 1 for t in tokens):
        if not 0 <= index < count:
            return None
        if index not in picks:
            picks.append(index)
    return picks


def test_a_single_pick_reads_as_the_full_parser_reads_it() -> None:
    decimals = [chr(c) for c in range(0x10000) if chr(c).isdecimal()]  # every script's digits
    texts = decimals + [a + b for a in decimals[:40] for b in decimals[:40]] + ["", " ", "1 ", "1。"]
    for text in texts:
        for count in (0, 1, 5, 12, 99):
            assert parse.option_numbers(text, count) == _option_numbers_in_full(text, count), text


def test_plain_digits_are_the_amount_cn2an_reads() -> None:
    draw = random.Random(3)
    texts = [str(n) for n in range(2000)] + ["007", "0000", "100000000", "100000001", "99999999999"]
    texts += [str(draw.randint(0, 10**9)) for _ in range(500)]
    for text in texts:
        value = float(cn2an.cn2an(text, "smart"))
        expected = value if 0 <= value <= amounts.MAX_AMOUNT else None
        assert amounts.money(text) == expected, text
