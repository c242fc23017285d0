"""Amounts and dates as people type them, read by the same functions the engine uses.

Dates are read against an injected clock in Beijing time: the tables pin "now" and expect the
calendar day a person in China means, including just after midnight when UTC is still yesterday.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.engine import parse
from bot.engine.amounts import money
from bot.engine.dates import read_date

BEIJING = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=BEIJING).timestamp()  # a Thursday

AMOUNTS = [
    ("7000", 7000),
    ("7000元", 7000),
    ("7000 元", 7000),
    ("7000块", 7000),
    ("7000块钱", 7000),
    ("¥7000", 7000),
    ("￥7000", 7000),
    ("RMB 7000", 7000),
    ("7000 yuan", 7000),
    ("１２００", 1200),
    ("1,200", 1200),
    ("1，200", 1200),
    ("5 000", 5000),
    ("12 000 元", 12000),
    ("1,200,000", 1200000),
    ("2,500.50", 2500.5),
    ("12.5", 12.5),
    ("0", 0),
    ("一万", 10000),
    ("一万元", 10000),
    ("两万块", 20000),
    ("十万", 100000),
    ("七千块", 7000),
    ("三千", 3000),
    ("一千二百元", 1200),
    ("一千二", 1200),
    ("两千五", 2500),
    ("三万八", 38000),
    ("一万五千", 15000),
    ("一万二", 12000),
    ("五百块钱", 500),
    ("八百", 800),
    ("壹万", 10000),
    ("1万2", 12000),
    ("1.2万", 12000),
    ("1.2 万", 12000),
    ("3万", 30000),
    ("3千", 3000),
    ("3k", 3000),
    ("3K", 3000),
    ("12k", 12000),
    ("1.5k", 1500),
    ("3k5", 3500),
    ("2w", 20000),
    ("1w5", 15000),
    ("大概3000", 3000),
    ("3000左右", 3000),
    ("约五千", 5000),
]
NOT_AMOUNTS = ["", "abc", "很多钱", "1 2 3", "3000元和2000元", "100000000000", "-5", "三千多", "k"]


@pytest.mark.parametrize(("text", "value"), AMOUNTS)
def test_amounts_people_type(text: str, value: float) -> None:
    assert money(text) == value
    assert parse.money(text) == value  # the engine's entry point reads the same


@pytest.mark.parametrize("text", NOT_AMOUNTS)
def test_not_an_amount(text: str) -> None:
    assert money(text) is None


SURE_DATES = [
    ("2026-11-03", "2026-11-03"),
    ("2026/11/3", "2026-11-03"),
    ("2026.11.03", "2026-11-03"),
    ("2026年11月3日", "2026-11-03"),
    ("2026年11月3号", "2026-11-03"),
    ("２０２６－１１－０３", "2026-11-03"),
    ("2025-12-31", "2025-12-31"),
    ("2024-02-29", "2024-02-29"),
    ("今天", "2026-12-03"),
    ("昨天", "2026-12-02"),
    ("昨日", "2026-12-02"),
    ("前天", "2026-12-01"),
    ("大前天", "2026-11-30"),
    ("明天", "2026-12-04"),
    ("后天", "2026-12-05"),
    ("上周五", "2026-11-27"),
    ("上周一", "2026-11-23"),
    ("上星期三", "2026-11-25"),
    ("上礼拜天", "2026-11-29"),
    ("上上周三", "2026-11-18"),
    ("这周一", "2026-11-30"),
    ("本周五", "2026-12-04"),
    ("下周一", "2026-12-07"),
    ("上个月15号", "2026-11-15"),
    ("上个月十五号", "2026-11-15"),
    ("上月1日", "2026-11-01"),
    ("这个月5号", "2026-12-05"),
    ("本月1号", "2026-12-01"),
    ("下个月3号", "2027-01-03"),
    ("上上个月20号", "2026-10-20"),
    ("去年3月5日", "2025-03-05"),
    ("今年1月8号", "2026-01-08"),
    ("前年12月1日", "2024-12-01"),
    ("today", "2026-12-03"),
    ("yesterday", "2026-12-02"),
    ("Yesterday.", "2026-12-02"),
    ("the day before yesterday", "2026-12-01"),
    ("tomorrow", "2026-12-04"),
    ("last friday", "2026-11-27"),
    ("Last Monday", "2026-11-23"),
    ("next monday", "2026-12-07"),
]
GUESSED_DATES = [  # no year or month: read as the nearest such day and asked back
    ("11月3日", "2026-11-03"),
    ("11月3号", "2026-11-03"),
    ("十一月三日", "2026-11-03"),
    ("11.3", "2026-11-03"),
    ("11/3", "2026-11-03"),
    ("11-3", "2026-11-03"),
    ("12月25日", "2026-12-25"),
    ("1月5日", "2026-01-05"),
    ("6月1日", "2026-06-01"),
    ("15号", "2026-12-15"),
    ("十五号", "2026-12-15"),
    ("1号", "2026-12-01"),
    ("周五", "2026-11-27"),
    ("星期一", "2026-11-30"),
    ("周四", "2026-12-03"),
]
NOT_DATES = [
    "",
    "hello",
    "3000",
    "2026-02-30",
    "2026-13-01",
    "13月5日",
    "下个月",
    "很久以前",
    "32号",
    "next month",
]


@pytest.mark.parametrize(("text", "iso"), SURE_DATES)
def test_dates_that_need_no_guessing(text: str, iso: str) -> None:
    reading = read_date(parse.clean(text), NOW)
    assert reading is not None and (reading.iso, reading.sure) == (iso, True)


@pytest.mark.parametrize(("text", "iso"), GUESSED_DATES)
def test_dates_without_year_or_month_are_guessed_and_unsure(text: str, iso: str) -> None:
    reading = read_date(parse.clean(text), NOW)
    assert reading is not None and (reading.iso, reading.sure) == (iso, False)


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_a_date(text: str) -> None:
    assert read_date(text, NOW) is None


def test_a_year_less_date_far_ahead_means_last_year() -> None:
    march = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING).timestamp()
    reading = read_date("11月3日", march)  # eight months ahead: last November
    assert reading is not None and reading.iso == "2025-11-03"


def test_the_day_is_beijing_time_not_utc() -> None:
    just_after_midnight = datetime(2026, 12, 3, 0, 30, tzinfo=BEIJING).timestamp()  # 16:30 UTC on the 2nd
    reading = read_date("昨天", just_after_midnight)
    assert reading is not None and reading.iso == "2026-12-02"


def test_date_text_keeps_its_old_contract_without_a_clock() -> None:
    assert parse.date_text("2026年11月3日") == "2026-11-03"
    assert parse.date_text("昨天") is None  # relative words need the user's clock
    assert parse.date_text("昨天", NOW) == "2026-12-02"
