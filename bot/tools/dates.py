"""Dates a user typed, normalised for a letter: "上个月15号" said on 2026-11-20 → 2026年10月15日.

A letter to an office needs calendar dates; a person types "上周" or "三个月前". Relative phrases
are resolved against the day the answer was given (`since_on`), absolute ones are rewritten in
one format, and anything else is left as typed. The letter keeps the user's own words beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.tools.term import chinese_number


@dataclass(frozen=True, slots=True)
class When:
    year: int
    month: int
    day: int | None = None  # None: only the month is known
    week_of: bool = False  # "上周": the week starting on that day


_NUM = r"([0-9]+|[零一二两三四五六七八九十]+)"
_ABSOLUTE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*[日号]?|\s*月?)$")
_DAYS_AGO = re.compile(rf"^{_NUM}\s*(?:天|日)(?:前|以前)$")
_WEEKS_AGO = re.compile(rf"^{_NUM}\s*(?:周|个星期|星期|个礼拜)(?:前|以前)$")
_MONTHS_AGO = re.compile(rf"^{_NUM}\s*个?月(?:前|以前)$")
_LAST_MONTH_DAY = re.compile(rf"^上个?月\s*{_NUM}\s*[号日]$")
_THIS_MONTH_DAY = re.compile(rf"^(?:这个月|本月)?\s*{_NUM}\s*[号日]$")
_TAIL = re.compile(r"(?:开始|起|以来|的时候|左右|前后)+$")


def _months_back(on: date, months: int) -> tuple[int, int]:
    index = on.year * 12 + on.month - 1 - months
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int | None) -> When | None:
    try:
        date(year, month, day or 1)
    except ValueError:
        return None
    return When(year, month, day)


_ENGLISH = {"today": "今天", "yesterday": "昨天", "last week": "上周", "last month": "上个月"}
_ENGLISH_AGO = re.compile(r"^(\d+|a|an|one|two|three|four|five|six)\s+(day|week|month)s?\s+ago$")
_ENGLISH_UNIT = {"day": "天前", "week": "周前", "month": "个月前"}
_ENGLISH_COUNT = {
    "a": "1",
    "an": "1",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
}


def _from_english(typed: str) -> str:
    """English relative phrases in the Chinese forms below ("3 months ago" → "3个月前")."""
    text = re.sub(r"^(?:since|from|about|around)\s+", "", typed.strip().casefold().rstrip("."))
    if text in _ENGLISH:
        return _ENGLISH[text]
    if match := _ENGLISH_AGO.match(text):
        count = _ENGLISH_COUNT.get(match.group(1), match.group(1))
        return f"{count}{_ENGLISH_UNIT[match.group(2)]}"
    return typed


def resolve(typed: str, on: date | None) -> When | None:
    """The calendar date or month the text names, or None when it names none we can be sure of."""
    text = _TAIL.sub("", _from_english(typed).strip().rstrip("。.").replace(" ", ""))
    if match := _ABSOLUTE.match(text):
        return _valid(
            int(match.group(1)), int(match.group(2)), int(match.group(3)) if match.group(3) else None
        )
    if on is None:
        return None
    fixed = {"今天": 0, "昨天": 1, "前天": 2}
    if text in fixed:
        day = on - timedelta(days=fixed[text])
        return When(day.year, day.month, day.day)
    if text in ("上周", "上个星期", "上星期", "上个礼拜"):
        monday = on - timedelta(days=on.weekday() + 7)
        return When(monday.year, monday.month, monday.day, week_of=True)
    if text in ("上个月", "上月"):
        return When(*_months_back(on, 1))
    for pattern, unit in ((_DAYS_AGO, 1), (_WEEKS_AGO, 7)):
        if (match := pattern.match(text)) and (count := chinese_number(match.group(1))):
            day = on - timedelta(days=count * unit)
            return When(day.year, day.month, day.day)
    if (match := _MONTHS_AGO.match(text)) and (count := chinese_number(match.group(1))):
        return When(*_months_back(on, count))
    if (match := _LAST_MONTH_DAY.match(text)) and (count := chinese_number(match.group(1))):
        return _valid(*_months_back(on, 1), count)
    if (match := _THIS_MONTH_DAY.match(text)) and (count := chinese_number(match.group(1))):
        return _valid(on.year, on.month, count)
    return None


def answered_on(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
