"""Dates typed in a conversation become calendar dates in a letter, resolved on the day given."""

from __future__ import annotations

from datetime import date

import pytest
from test_tools_locales import strict_text

from bot.tools.dates import When, resolve
from bot.tools.letters import police_report

ON = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("typed", "when"),
    [
        ("上个月15号", When(2026, 10, 15)),
        ("上个月", When(2026, 10)),
        ("三个月前", When(2026, 8)),
        ("上周", When(2026, 11, 9, week_of=True)),
        ("上个星期开始", When(2026, 11, 9, week_of=True)),
        ("10天前", When(2026, 11, 10)),
        ("昨天", When(2026, 11, 19)),
        ("15号", When(2026, 11, 15)),
        ("2026年10月", When(2026, 10)),
        ("2026-10-05", When(2026, 10, 5)),
        ("2026年9月1日左右", When(2026, 9, 1)),
        ("since last week", When(2026, 11, 9, week_of=True)),
        ("3 months ago", When(2026, 8)),
        ("last month", When(2026, 10)),
    ],
)
def test_what_people_type(typed: str, when: When) -> None:
    assert resolve(typed, ON) == when


@pytest.mark.parametrize("typed", ["很久以前", "疫情那年", "2026年2月30日", "上个月35号", "ages ago"])
def test_what_names_no_date_we_can_be_sure_of(typed: str) -> None:
    assert resolve(typed, ON) is None


def test_a_relative_date_needs_the_day_it_was_said() -> None:
    assert resolve("上个月", None) is None
    assert resolve("2026-10-05", None) == When(2026, 10, 5)


def test_the_letter_gives_the_calendar_date_and_keeps_the_users_words() -> None:
    letter = police_report({"since": "上个月15号", "since_on": "2026-11-20"}, strict_text("zh_CN"))
    assert "开始时间：2026年10月15日（我的原话：“上个月15号”）。" in letter
    undated = police_report({"since": "疫情那年"}, strict_text("zh_CN"))
    assert "开始时间：疫情那年。" in undated
