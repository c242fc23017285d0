"""Dates as people type them, read on the user's clock in Beijing time.

`2026-11-03`, `2026年11月3日` and words that need no guessing (`昨天`, `上周五`, `上个月15号`,
`yesterday`, `last friday`) are sure. A date without its year or month (`11月3日`, `11.3`, `15号`)
is read as the nearest such day and marked unsure, so the engine asks it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import cn2an

BEIJING = ZoneInfo("Asia/Shanghai")
FUTURE_LIMIT = 183  # a year-less date further ahead than this (days) means last year's


@dataclass(frozen=True, slots=True)
class DateReading:
    iso: str
    sure: bool


_DAYS = {
    "今天": 0,
    "今日": 0,
    "昨天": -1,
    "昨日": -1,
    "前天": -2,
    "大前天": -3,
    "明天": 1,
    "后天": 2,
    "today": 0,
    "yesterday": -1,
    "tomorrow": 1,
    "the day before yesterday": -2,
}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_YEAR_WORD = re.compile(r"(今年|去年|前年)(\d{1,2})月(\d{1,2})[日号]?")
_MONTH_DAY = re.compile(r"(\d{1,2})\s*(?:月|[./-])\s*(\d{1,2})\s*[日号]?")
_MONTH_WORD = re.compile(r"(上上个月|上个月|上月|这个月|本月|这月|下个月|下月)(\d{1,2})[日号]")
_DAY_ONLY = re.compile(r"(\d{1,2})\s*[日号]")
_WEEK_WORD = re.compile(
    r"(上上周|上周|上个星期|上星期|上礼拜|这周|本周|这个星期|这星期|下周|下个星期|下星期)(?:周|星期|礼拜)?([一二三四五六日天七])"
)
_BARE_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天七])")
_EN_WEEK = re.compile(r"(last|this|next)\s+(" + "|".join(_EN_WEEKDAYS) + r")")
_WEEK_SHIFT = {
    "上上周": -2,
    "上周": -1,
    "上个星期": -1,
    "上星期": -1,
    "上礼拜": -1,
    "这周": 0,
    "本周": 0,
    "这个星期": 0,
    "这星期": 0,
    "下周": 1,
    "下个星期": 1,
    "下星期": 1,
}
_MONTH_SHIFT = {
    "上上个月": -2,
    "上个月": -1,
    "上月": -1,
    "这个月": 0,
    "本月": 0,
    "这月": 0,
    "下个月": 1,
    "下月": 1,
}
_YEAR_SHIFT = {"今年": 0, "去年": -1, "前年": -2}


def today_in_beijing(now: float) -> date:
    return datetime.fromtimestamp(now, UTC).astimezone(BEIJING).date()


def read_date(text: str, now: float) -> DateReading | None:
    """The date the text names, relative to `now` (epoch seconds), or None."""
    today = today_in_beijing(now)
    folded = _numerals(text.strip().casefold().rstrip("。.!！?？"))
    if folded in _DAYS:
        return DateReading((today + timedelta(days=_DAYS[folded])).isoformat(), True)
    for sure, readers in ((True, _SURE), (False, _GUESSED)):
        for reader in readers:
            found = reader(folded, today)
            if found is not None:
                return DateReading(found.isoformat(), sure)
    return None


def _numerals(text: str) -> str:
    """十一月三日 → 11月3日, leaving weekday names (周三) as they are."""
    if not re.search(r"[零〇一二两三四五六七八九十]", text):
        return text
    kept = re.sub(r"(周|星期|礼拜)([一二三四五六日天七])", lambda m: f"{m.group(1)}#{m.group(2)}#", text)
    try:
        converted = cn2an.transform(kept, "cn2an")
    except (ValueError, KeyError, IndexError):
        return text
    return re.sub(
        r"#(\d|[日天])#",
        lambda m: "一二三四五六七"[int(m.group(1)) - 1] if m.group(1).isdigit() else m.group(1),
        str(converted),
    )


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 2026-02-30: no such day
        return None


def _full(text: str, today: date) -> date | None:
    m = FULL_DATE.fullmatch(text)
    return _make(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _year_word(text: str, today: date) -> date | None:
    m = _YEAR_WORD.fullmatch(text)
    if not m:
        return None
    return _make(today.year + _YEAR_SHIFT[m.group(1)], int(m.group(2)), int(m.group(3)))


def _month_word(text: str, today: date) -> date | None:
    m = _MONTH_WORD.fullmatch(text)
    if not m:
        return None
    month_index = today.year * 12 + today.month - 1 + _MONTH_SHIFT[m.group(1)]
    return _make(month_index // 12, month_index % 12 + 1, int(m.group(2)))


def _week_word(text: str, today: date) -> date | None:
    m = _WEEK_WORD.fullmatch(text)
    if not m:
        return None
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=_WEEK_SHIFT[m.group(1)])
    return monday + timedelta(days=_WEEKDAYS[m.group(2)])


def _en_week(text: str, today: date) -> date | None:
    m = _EN_WEEK.fullmatch(text)
    if not m:
        return None
    shift = {"last": -1, "this": 0, "next": 1}[m.group(1)]
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
    return monday + timedelta(days=_EN_WEEKDAYS.index(m.group(2)))


def _month_day(text: str, today: date) -> date | None:
    m = _MONTH_DAY.fullmatch(text)
    if not m:
        return None
    found = _make(today.year, int(m.group(1)), int(m.group(2)))
    if found is not None and (found - today).days > FUTURE_LIMIT:
        return _make(today.year - 1, found.month, found.day)
    return found


def _day_only(text: str, today: date) -> date | None:
    m = _DAY_ONLY.fullmatch(text)
    if not m:
        return None
    return _make(today.year, today.month, int(m.group(1)))


def _bare_weekday(text: str, today: date) -> date | None:
    """`周五` alone: the most recent one (today included), which is what people report."""
    m = _BARE_WEEKDAY.fullmatch(text)
    if not m:
        return None
    return today - timedelta(days=(today.weekday() - _WEEKDAYS[m.group(1)]) % 7)


_SURE = (_full, _year_word, _month_word, _week_word, _en_week)
_GUESSED = (_month_day, _day_only, _bare_weekday)
