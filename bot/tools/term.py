"""Reading a loan term the user typed: "7天", "两周", "14 days", "3个月", "一年", "12".

A term in days or weeks is a short loan repaid once at the end (the 7- and 14-day loans that hide
the highest rates); a term in months or years is counted in monthly instalments. A bare number is
months, as the question asks for the number of monthly instalments.
"""

from __future__ import annotations

import re

MAX_DAYS = 600 * 31  # the calculator's 50-year bound, in days
_CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = (
    (re.compile(r"^(?:天|日|days?|d)$", re.I), "days", 1),
    (re.compile(r"^(?:周|星期|个星期|礼拜|个礼拜|weeks?|w)$", re.I), "days", 7),
    (re.compile(r"^(?:个月|月|期|months?|m|instalments?|installments?)$", re.I), "months", 1),
    (re.compile(r"^(?:年|years?|y)$", re.I), "months", 12),
)
_ENGLISH = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_TERM = re.compile(r"^(?:共|一共|分)?\s*([0-9]+|[零一二两三四五六七八九十]+|[a-z]+(?=\s))\s*(.*?)\s*$", re.I)


def chinese_number(word: str) -> int | None:
    """Small Chinese numerals: 七 → 7, 十四 → 14, 二十 → 20, 三十六 → 36."""
    if word.isdigit():
        return int(word)
    if word.casefold() in _ENGLISH:
        return _ENGLISH[word.casefold()]
    if "十" not in word:
        return _CHINESE_DIGITS.get(word) if len(word) == 1 else None
    tens, _, ones = word.partition("十")
    high = _CHINESE_DIGITS.get(tens, -1) if tens else 1
    low = _CHINESE_DIGITS.get(ones, -1) if ones else 0
    return None if high < 0 or low < 0 or "十" in ones else high * 10 + low


def parse_term(text: str) -> dict[str, int] | None:
    """{"days": n} for a short loan, {"months": n} for instalments; None if it is not a term."""
    match = _TERM.match(text.strip().rstrip("。.").replace("半年", "6个月"))
    if not match:
        return None
    count = chinese_number(match.group(1))
    unit_text = match.group(2).strip() or "个月"
    if count is None or count <= 0:
        return None
    for pattern, unit, factor in _UNITS:
        if pattern.match(unit_text):
            value = count * factor
            limit = MAX_DAYS if unit == "days" else 600
            return {unit: value} if value <= limit else None
    return None
